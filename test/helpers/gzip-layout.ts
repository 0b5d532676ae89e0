import { createHash } from "node:crypto";
import { createWriteStream, mkdirSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { Transform, type Readable, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";

/** Hashes and counts the bytes flowing through (also used by the bench generator). */
export class Tap extends Transform {
  readonly hash = createHash("sha256");
  bytes = 0;
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

async function writeBlob(dir: string, doc: unknown): Promise<{ digest: string; size: number }> {
  const buf = Buffer.from(JSON.stringify(doc));
  const hex = createHash("sha256").update(buf).digest("hex");
  await writeFile(`${dir}/blobs/sha256/${hex}`, buf);
  return { digest: `sha256:${hex}`, size: buf.length };
}

export interface GzipLayoutOptions {
  /** config.config (User, Env, …). */
  config: Record<string, unknown>;
  createdBy: string;
  /** `org.opencontainers.image.ref.name` of the single manifest. */
  refName?: string;
  /** gzip level, default 6. */
  level?: number;
}

export interface WrittenLayout {
  manifestDigest: string;
  layerDigest: string;
  diffId: string;
  compressedSize: number;
  uncompressedSize: number;
}

/**
 * Writes a one-layer OCI image layout from a tar stream, gzipping and
 * hashing both sides while streaming: neither the layer nor the blob is ever
 * held in memory. Start it, then feed `tar`; it resolves when the layout is
 * complete.
 */
export async function writeGzipLayout(dir: string, tar: Readable, opts: GzipLayoutOptions): Promise<WrittenLayout> {
  // Synchronously, so `tar` is piped in this same tick: a child's stdout left
  // unpiped across an await can lose its output.
  mkdirSync(`${dir}/blobs/sha256`, { recursive: true });
  const raw = new Tap();
  const gz = new Tap();
  const tmp = `${dir}/blobs/sha256/layer.tmp`;
  await pipeline(tar, raw, zlib.createGzip({ level: opts.level ?? 6, chunkSize: 256 * 1024 }), gz, createWriteStream(tmp));
  const layerDigest = `sha256:${gz.hash.digest("hex")}`;
  const diffId = `sha256:${raw.hash.digest("hex")}`;
  await rename(tmp, `${dir}/blobs/sha256/${layerDigest.slice(7)}`);
  const config = await writeBlob(dir, {
    architecture: "amd64",
    os: "linux",
    config: opts.config,
    rootfs: { type: "layers", diff_ids: [diffId] },
    history: [{ created_by: opts.createdBy }],
  });
  const manifest = await writeBlob(dir, {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: layerDigest, size: gz.bytes }],
  });
  await writeFile(`${dir}/oci-layout`, JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  const annotations = opts.refName !== undefined ? { annotations: { "org.opencontainers.image.ref.name": opts.refName } } : {};
  await writeFile(
    `${dir}/index.json`,
    JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", ...manifest, ...annotations }] }),
  );
  return { manifestDigest: manifest.digest, layerDigest, diffId, compressedSize: gz.bytes, uncompressedSize: raw.bytes };
}
