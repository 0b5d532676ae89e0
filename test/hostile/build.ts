// Building blocks for the hostile corpus (cases.ts): OCI layouts, docker save
// archives and raw tar bytes written from code, so every hostile image is
// generated fresh into a temp dir and nothing binary is committed.
import { mkdir, symlink as fsSymlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { archiveOf, type OutFile } from "../../fixtures/lib/archive.js";
import { jsonBytes as json, sha256, sha256hex } from "../../fixtures/lib/digest.js";
import { MT } from "../../fixtures/lib/images.js";
import { dir, file, packTar } from "../../fixtures/lib/tar-pack.js";
import { END_OF_ARCHIVE, padBlock, paxRecord, ustarHeader, type RawHeader } from "../../fixtures/lib/ustar-raw.js";
import { zstdRawFrame } from "../../fixtures/lib/zstd-raw.js";

export type Json = Record<string, any>;

export { MT, dir, file, json, packTar, padBlock, paxRecord, sha256, sha256hex };

/** A stored layer blob and what its config says about it. */
export interface Layer {
  data: Buffer;
  mediaType: string;
  diffId: string;
}

export type Encoding = "gzip" | "zstd" | "none";

function encode(tar: Buffer, enc: Encoding): Buffer {
  if (enc === "gzip") return gzipSync(tar, { level: 6 });
  if (enc === "zstd") return zstdRawFrame(tar);
  return tar;
}

const MEDIA: Record<Encoding, string> = { gzip: MT.gzip, zstd: MT.zstd, none: MT.tar };

export function layer(tar: Buffer, enc: Encoding = "gzip", mediaType?: string): Layer {
  return { data: encode(tar, enc), mediaType: mediaType ?? MEDIA[enc], diffId: sha256(tar) };
}

/** The ordinary lower layer most cases stack their hostile layer on. */
export async function baseTar(): Promise<Buffer> {
  return packTar([
    dir("etc"),
    file("etc/hostname", "hostile\n"),
    file("etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME=\"Alpine Linux v3.19\"\n"),
    dir("app"),
    file("app/ok.txt", "analysed\n"),
  ]);
}

export interface ImageParts {
  layers: Layer[];
  /** Edits the config before it is written (and hashed). */
  config?: (c: Json) => void;
  /** Edits the manifest before it is written (and hashed). */
  manifest?: (m: Json) => void;
  /** Replaces the config bytes (hashed as given). */
  rawConfig?: Buffer;
  /** Replaces the manifest bytes (hashed as given). */
  rawManifest?: Buffer;
}

export interface Built {
  /** Every file of the layout, blobs included. */
  files: OutFile[];
  manifest: { digest: string; size: number; data: Buffer };
  config: { digest: string; size: number; data: Buffer };
  layerDigests: string[];
}

export function blobFile(data: Buffer, name = sha256hex(data)): OutFile {
  return { path: `blobs/sha256/${name}`, data };
}

/** An image manifest, its config and layers as layout files (without index.json). */
export function image(parts: ImageParts): Built {
  const config: Json = {
    architecture: "amd64",
    os: "linux",
    config: { User: "1000" },
    rootfs: { type: "layers", diff_ids: parts.layers.map((l) => l.diffId) },
    history: parts.layers.map((_, i) => ({ created_by: `step ${i}` })),
  };
  parts.config?.(config);
  const configData = parts.rawConfig ?? json(config);
  const manifest: Json = {
    schemaVersion: 2,
    mediaType: MT.manifest,
    config: { mediaType: MT.config, digest: sha256(configData), size: configData.length },
    layers: parts.layers.map((l) => ({ mediaType: l.mediaType, digest: sha256(l.data), size: l.data.length })),
  };
  parts.manifest?.(manifest);
  const manifestData = parts.rawManifest ?? json(manifest);
  return {
    files: [blobFile(configData), ...parts.layers.map((l) => blobFile(l.data)), blobFile(manifestData)],
    manifest: { digest: sha256(manifestData), size: manifestData.length, data: manifestData },
    config: { digest: sha256(configData), size: configData.length, data: configData },
    layerDigests: parts.layers.map((l) => sha256(l.data)),
  };
}

export function indexJson(manifests: Json[]): Buffer {
  return json({ schemaVersion: 2, mediaType: MT.index, manifests });
}

export const OCI_LAYOUT: OutFile = { path: "oci-layout", data: json({ imageLayoutVersion: "1.0.0" }) };

/** A complete layout holding one image, named by index.json. */
export function layoutFiles(b: Built, descriptorExtra: Json = {}): OutFile[] {
  return [
    OCI_LAYOUT,
    { path: "index.json", data: indexJson([{ mediaType: MT.manifest, digest: b.manifest.digest, size: b.manifest.size, ...descriptorExtra }]) },
    ...b.files,
  ];
}

/**
 * A `docker save` manifest.json entry for a built image, its config and
 * layers named by their blob paths, as Docker 25 and later write them
 * beside the OCI layout (use uncompressed layers, as docker save does).
 */
export function dockerSaveEntry(b: Built, repoTags: string[]): Json {
  return {
    Config: `blobs/sha256/${b.config.digest.slice("sha256:".length)}`,
    RepoTags: repoTags,
    Layers: b.layerDigests.map((d) => `blobs/sha256/${d.slice("sha256:".length)}`),
  };
}

/** The files of a docker save archive (no OCI layout) holding `images`, their entries in this order. */
export function dockerSaveFiles(images: { b: Built; tags: string[] }[]): OutFile[] {
  return [
    ...images.flatMap(({ b }) => b.files.filter((f) => f.data !== b.manifest.data)),
    { path: "manifest.json", data: json(images.map(({ b, tags }) => dockerSaveEntry(b, tags))) },
  ];
}

/** Writes `files` under `root` (directories are created as needed; later files win). */
export async function writeTree(root: string, files: OutFile[]): Promise<string> {
  await mkdir(root, { recursive: true });
  for (const f of files) {
    const p = path.join(root, f.path);
    if (f.dir) {
      await mkdir(p, { recursive: true });
      continue;
    }
    await mkdir(path.dirname(p), { recursive: true });
    if (f.symlink !== undefined) await fsSymlink(f.symlink, p);
    else await writeFile(p, f.data ?? Buffer.alloc(0));
  }
  return root;
}

/** Writes `files` as one tar (an oci-archive or docker save file). */
export async function writeArchive(file: string, files: OutFile[]): Promise<string> {
  const withDirs = new Map<string, OutFile>();
  for (const f of files) {
    const parts = f.path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const d = `${parts.slice(0, i).join("/")}/`;
      if (!withDirs.has(d)) withDirs.set(d, { path: d, dir: true });
    }
    withDirs.set(f.path, f);
  }
  await writeFile(file, await archiveOf([...withDirs.values()]));
  return file;
}

// ---- raw tar pieces -------------------------------------------------------

const BLOCK = 512;

/** A ustar header with a valid checksum after `patch` edits the block. */
export function header(h: Partial<RawHeader> & { name: string | Buffer }, patch?: (b: Buffer) => void): Buffer {
  const b = ustarHeader({ mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 1704067200, typeflag: "0", ...h });
  if (patch) {
    patch(b);
    fixChecksum(b);
  }
  return b;
}

function fixChecksum(b: Buffer): void {
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i]!;
  b.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
}

/** A regular file entry: header + padded content. */
export function rawFile(name: string | Buffer, content: Buffer | string = ""): Buffer {
  const c = Buffer.from(content);
  return Buffer.concat([header({ name, size: c.length }), padBlock(c)]);
}

/** A meta header (PAX `x`, GNU `L`) with its payload. */
export function metaEntry(typeflag: string, payload: Buffer, name = "././@LongLink"): Buffer {
  return Buffer.concat([header({ name, size: payload.length, typeflag }), padBlock(payload)]);
}

export function paxPath(p: string): Buffer {
  return metaEntry("x", paxRecord("path", Buffer.from(p)), "PaxHeaders/x");
}

/** Any entry: header fields as given (size from `content`) + padded content. */
export function rawEntry(h: Partial<RawHeader> & { name: string | Buffer }, content: Buffer | string = "", patch?: (b: Buffer) => void): Buffer {
  const c = Buffer.from(content);
  return Buffer.concat([header({ ...h, size: c.length }, patch), padBlock(c)]);
}

/** A PAX extended header, `x` (next entry) or `g` (global), with these records. */
export function paxMeta(typeflag: "x" | "g", records: Array<[string, string | Buffer]>, name = "PaxHeaders/x"): Buffer {
  return metaEntry(typeflag, Buffer.concat(records.map(([k, v]) => paxRecord(k, Buffer.from(v)))), name);
}

/**
 * Turns a ustar header block into an old-GNU one: magic "ustar " and
 * version " \0" (https://www.gnu.org/software/tar/manual/html_node/Standard.html),
 * where bytes 345..368 hold atime and ctime instead of the ustar prefix.
 */
export function gnuMagic(b: Buffer): void {
  b.write("ustar  \0", 257, "latin1");
}

/** Joins raw entries and appends the end-of-archive blocks. */
export function rawTar(...parts: Buffer[]): Buffer {
  return Buffer.concat([...parts, END_OF_ARCHIVE]);
}
