/**
 * Generates the benchmark image (bench/image-plan.ts) once and caches it in
 * `os.tmpdir()/layerlint-bench-<PLAN_VERSION>/` (override with
 * LAYERLINT_BENCH_DIR). One streaming pass over the plan writes, at the same
 * time:
 *   - the 8 gzip layers (node zlib, level 1, 256 KiB chunks),
 *   - the same 8 layers as zstd (the `zstd` CLI, level 3),
 *   - the same entries packed into 2 gzip layers (layers 0–3 and 4–7),
 * hashing the raw tar for the diff_ids on the way. No layer is ever held in
 * memory or written uncompressed. Then each layout is tarred into an OCI
 * archive with GNU tar.
 *
 *   tsx bench/generate-big-image.ts        # prints the cache directory
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash, type Hash } from "node:crypto";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { once } from "node:events";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { buildPlan, contentPieces, makePools, MTIME, PLAN_VERSION, planStats, type LayerPlan } from "./image-plan.js";
import { END_OF_ARCHIVE, paddingFor, tarHeader } from "./tar-writer.js";
import { Tap } from "../test/helpers/gzip-layout.js";

export interface Blob {
  digest: string;
  size: number;
}

export interface LayoutInfo {
  /** OCI layout directory (image tagged `v1`). */
  dir: string;
  /** OCI archive of that directory. */
  archive: string;
  /** Layer blob paths, bottom first. */
  layerFiles: string[];
  compression: "gzip" | "zstd";
  compressedBytes: number;
  manifestDigest: string;
}

export interface BenchImage {
  version: string;
  root: string;
  uncompressedBytes: number;
  files: number;
  entries: number;
  whiteouts: number;
  layers: number;
  gzip8: LayoutInfo;
  zstd8: LayoutInfo;
  gzip2: LayoutInfo;
  generateSeconds: number;
}

const FLUSH = 1024 * 1024;
const CHUNK = 256 * 1024;

export function cacheRoot(): string {
  return process.env["LAYERLINT_BENCH_DIR"] ?? path.join(os.tmpdir(), `layerlint-bench-${PLAN_VERSION}`);
}

interface Target {
  write(b: Buffer): Promise<void> | void;
  end(): Promise<Blob>;
}

function hashTarget(): Target {
  const h: Hash = createHash("sha256");
  let n = 0;
  return {
    write(b) {
      h.update(b);
      n += b.length;
    },
    async end() {
      return { digest: `sha256:${h.digest("hex")}`, size: n };
    },
  };
}

/** Compressed blob written to `blobsDir/<tmp>` and renamed to its digest at the end. */
function compressTarget(blobsDir: string, name: string, kind: "gzip" | "zstd"): Target {
  const tmp = path.join(blobsDir, `${name}.tmp`);
  const tap = new Tap();
  let input: NodeJS.WritableStream & { write(b: Buffer): boolean; end(): void };
  let done: Promise<unknown>;
  if (kind === "gzip") {
    const gz = zlib.createGzip({ level: 1, chunkSize: CHUNK });
    input = gz;
    done = pipeline(gz, tap, createWriteStream(tmp));
  } else {
    const child = spawn("zstd", ["-3", "-q", "-c", "-T1"], { stdio: ["pipe", "pipe", "inherit"] });
    input = child.stdin;
    const exited = new Promise<void>((resolve, reject) => {
      child.on("error", reject);
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`zstd exited with ${code}`))));
    });
    done = Promise.all([pipeline(child.stdout, tap, createWriteStream(tmp)), exited]);
  }
  const stream = input as unknown as NodeJS.EventEmitter;
  return {
    async write(b) {
      if (!input.write(b)) await once(stream, "drain");
    },
    async end() {
      input.end();
      await done;
      const digest = `sha256:${tap.hash.digest("hex")}`;
      await rename(tmp, path.join(blobsDir, digest.slice(7)));
      return { digest, size: tap.bytes };
    },
  };
}

/** Batches small header/content pieces into ~1 MiB writes to every target. */
class Out {
  private parts: Buffer[] = [];
  private len = 0;
  constructor(readonly targets: Target[]) {}
  push(b: Buffer): Promise<void> | undefined {
    if (b.length === 0) return undefined;
    this.parts.push(b);
    this.len += b.length;
    return this.len >= FLUSH ? this.flush() : undefined;
  }
  async flush(): Promise<void> {
    if (this.len === 0) return;
    const buf = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.len);
    this.parts = [];
    this.len = 0;
    const pending: Promise<void>[] = [];
    for (const t of this.targets) {
      const p = t.write(buf);
      if (p) pending.push(p);
    }
    if (pending.length > 0) await Promise.all(pending);
  }
  async end(): Promise<Blob[]> {
    await this.flush();
    return Promise.all(this.targets.map((t) => t.end()));
  }
}

async function writeJsonBlob(blobsDir: string, value: unknown): Promise<Blob> {
  const buf = Buffer.from(JSON.stringify(value));
  const hex = createHash("sha256").update(buf).digest("hex");
  await writeFile(path.join(blobsDir, hex), buf);
  return { digest: `sha256:${hex}`, size: buf.length };
}

const LAYER_MT = { gzip: "application/vnd.oci.image.layer.v1.tar+gzip", zstd: "application/vnd.oci.image.layer.v1.tar+zstd" };

async function writeLayout(
  dir: string,
  layers: { blob: Blob; diffId: string; createdBy: string }[],
  compression: "gzip" | "zstd",
): Promise<LayoutInfo> {
  const blobsDir = path.join(dir, "blobs/sha256");
  const created = new Date(MTIME * 1000).toISOString();
  const config = await writeJsonBlob(blobsDir, {
    created,
    architecture: "amd64",
    os: "linux",
    config: {
      User: "app",
      Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "NODE_ENV=production"],
      Cmd: ["node", "/app/dist/server.js"],
      WorkingDir: "/app",
      ExposedPorts: { "8080/tcp": {} },
    },
    rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((l) => ({ created, created_by: l.createdBy })),
  });
  const manifest = await writeJsonBlob(blobsDir, {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
    layers: layers.map((l) => ({ mediaType: LAYER_MT[compression], ...l.blob })),
  });
  await writeFile(path.join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  await writeFile(
    path.join(dir, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [
        { mediaType: "application/vnd.oci.image.manifest.v1+json", ...manifest, annotations: { "org.opencontainers.image.ref.name": "v1" } },
      ],
    }),
  );
  const archive = `${dir}.oci.tar`;
  const tar = spawnSync(
    "tar",
    ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-cf", archive, "-C", dir, "oci-layout", "index.json", "blobs"],
    { stdio: "inherit" },
  );
  if (tar.status !== 0) throw new Error(`tar of ${dir} failed`);
  return {
    dir,
    archive,
    layerFiles: layers.map((l) => path.join(blobsDir, l.blob.digest.slice(7))),
    compression,
    compressedBytes: layers.reduce((s, l) => s + l.blob.size, 0),
    manifestDigest: manifest.digest,
  };
}

function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

async function generate(root: string): Promise<BenchImage> {
  const t0 = performance.now();
  const plan: LayerPlan[] = buildPlan();
  const pools = makePools();
  const stats = planStats(plan);
  const dirs = { gzip8: `${root}/gzip8`, zstd8: `${root}/zstd8`, gzip2: `${root}/gzip2` };
  for (const d of Object.values(dirs)) await mkdir(`${d}/blobs/sha256`, { recursive: true });
  const l8: { gzip: Blob; zstd: Blob; diffId: string; createdBy: string }[] = [];
  const l2: { blob: Blob; diffId: string; createdBy: string }[] = [];
  let group: Out | undefined;
  let groupCreatedBy: string[] = [];
  let rawTotal = 0;
  for (const layer of plan) {
    const t = performance.now();
    if (layer.index % 4 === 0) {
      group = new Out([hashTarget(), compressTarget(`${dirs.gzip2}/blobs/sha256`, `group${layer.index}`, "gzip")]);
      groupCreatedBy = [];
    }
    const out = new Out([
      hashTarget(),
      compressTarget(`${dirs.gzip8}/blobs/sha256`, `layer${layer.index}`, "gzip"),
      compressTarget(`${dirs.zstd8}/blobs/sha256`, `layer${layer.index}`, "zstd"),
    ]);
    const push = async (b: Buffer): Promise<void> => {
      const p1 = out.push(b);
      const p2 = group!.push(b);
      if (p1) await p1;
      if (p2) await p2;
    };
    for (const e of layer.entries) {
      const name = e.type === "dir" ? `${e.path}/` : e.path;
      await push(tarHeader({ path: name, type: e.type, mode: e.mode, uid: e.uid, gid: e.gid, size: e.size, mtime: MTIME, link: e.link, xattrs: e.xattrs }));
      if (e.type !== "file") continue;
      for (const piece of contentPieces(e, pools)) await push(piece);
      await push(paddingFor(e.size));
    }
    const p = out.push(END_OF_ARCHIVE);
    if (p) await p;
    const [raw, gz, zst] = await out.end();
    l8.push({ gzip: gz!, zstd: zst!, diffId: raw!.digest, createdBy: layer.createdBy });
    rawTotal += raw!.size;
    groupCreatedBy.push(layer.createdBy);
    if (layer.index % 4 === 3) {
      const q = group!.push(END_OF_ARCHIVE);
      if (q) await q;
      const [graw, ggz] = await group!.end();
      l2.push({ blob: ggz!, diffId: graw!.digest, createdBy: groupCreatedBy.join(" && ") });
    }
    log(
      `layer ${layer.index}: ${(raw!.size / 1e6).toFixed(0)} MB tar, gzip ${(gz!.size / 1e6).toFixed(0)} MB, zstd ${(zst!.size / 1e6).toFixed(0)} MB, ` +
        `${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
  }
  log("writing layouts and archives");
  const gzip8 = await writeLayout(dirs.gzip8, l8.map((l) => ({ blob: l.gzip, diffId: l.diffId, createdBy: l.createdBy })), "gzip");
  const zstd8 = await writeLayout(dirs.zstd8, l8.map((l) => ({ blob: l.zstd, diffId: l.diffId, createdBy: l.createdBy })), "zstd");
  const gzip2 = await writeLayout(dirs.gzip2, l2, "gzip");
  return {
    version: PLAN_VERSION,
    root,
    uncompressedBytes: rawTotal,
    files: stats.files - stats.whiteouts,
    entries: stats.entries,
    whiteouts: stats.whiteouts,
    layers: plan.length,
    gzip8,
    zstd8,
    gzip2,
    generateSeconds: (performance.now() - t0) / 1000,
  };
}

/** The cached image, generated first when missing. Paths in the record are absolute. */
export async function ensureBenchImage(): Promise<BenchImage & { cached: boolean }> {
  const root = cacheRoot();
  const marker = path.join(root, "image.json");
  if (existsSync(marker)) {
    const img = JSON.parse(await readFile(marker, "utf8")) as BenchImage;
    const all = [img.gzip8, img.zstd8, img.gzip2];
    if (img.version === PLAN_VERSION && all.every((l) => existsSync(l.archive) && l.layerFiles.every((f) => existsSync(f)))) {
      return { ...img, cached: true };
    }
  }
  log(`generating the benchmark image in ${root} (once; cached afterwards)`);
  const partial = `${root}.partial`;
  await rm(partial, { recursive: true, force: true });
  await rm(root, { recursive: true, force: true });
  const img = await generate(partial);
  await rename(partial, root);
  const fix = (l: LayoutInfo): LayoutInfo => ({
    ...l,
    dir: l.dir.replace(partial, root),
    archive: l.archive.replace(partial, root),
    layerFiles: l.layerFiles.map((f) => f.replace(partial, root)),
  });
  const final: BenchImage = { ...img, root, gzip8: fix(img.gzip8), zstd8: fix(img.zstd8), gzip2: fix(img.gzip2) };
  await writeFile(marker, JSON.stringify(final, null, 2));
  log(`generated in ${final.generateSeconds.toFixed(1)} s`);
  return { ...final, cached: false };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const img = await ensureBenchImage();
  console.log(JSON.stringify(img, null, 2));
}
