// A `docker save` archive (legacy layout: `<id>/layer.tar` per layer,
// uncompressed, the config and manifest.json LAST, as moby's tarexport
// writes them) generated as a stream, never held and never on disk: the
// streamed-archive tests pipe gigabytes of it into the CLI. Each layer.tar
// member's size is known before its bytes (tar needs it in the header);
// its diff_id is hashed on the way out and lands in the config at the end.
import { createHash } from "node:crypto";
import { END_OF_ARCHIVE, ustarHeader } from "../../fixtures/lib/ustar-raw.js";

const BLOCK = 512;
const MTIME = 1704067200;
const ZEROS = Buffer.alloc(BLOCK);

export interface StreamPlan {
  layers: number;
  /** Per layer: this many small files... */
  smallFiles: number;
  smallSize: number;
  /** ...and this many large ones. */
  largeFiles: number;
  largeSize: number;
}

const pad = (n: number) => (BLOCK - (n % BLOCK)) % BLOCK;

function header(name: string, size: number, typeflag: "0" | "5"): Buffer {
  return ustarHeader({ name, mode: typeflag === "5" ? 0o755 : 0o644, uid: 0, gid: 0, size, mtime: MTIME, typeflag });
}

/** Bytes of one layer.tar: a directory, the files, the end-of-archive blocks. */
export function layerTarSize(p: StreamPlan): number {
  return BLOCK + p.smallFiles * (BLOCK + p.smallSize + pad(p.smallSize)) + p.largeFiles * (BLOCK + p.largeSize + pad(p.largeSize)) + 2 * BLOCK;
}

/** Regular files the image holds (every layer's files have their own names). */
export const planFiles = (p: StreamPlan): number => p.layers * (p.smallFiles + p.largeFiles);

/** Total uncompressed bytes of the layers. */
export const planBytes = (p: StreamPlan): number => p.layers * layerTarSize(p);

/** Deterministic file content: a 1 MiB block of varied bytes, stamped with the file's name so no two files are equal. */
const BASE = (() => {
  const b = Buffer.alloc(1024 * 1024);
  let x = 0x9e3779b9;
  for (let i = 0; i < b.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b.writeUInt32LE(x >>> 0, i);
  }
  return b;
})();

function* content(name: string, size: number): Generator<Buffer> {
  const stamp = Buffer.from(`${name}\n`);
  for (let off = 0; off < size; off += BASE.length) {
    const n = Math.min(BASE.length, size - off);
    if (off === 0) {
      const first = Buffer.from(BASE.subarray(0, n));
      stamp.copy(first, 0, 0, Math.min(stamp.length, n));
      yield first;
    } else yield BASE.subarray(0, n);
  }
}

export async function* dockerSaveStream(p: StreamPlan, repoTag = "streamed:v1"): AsyncGenerator<Buffer> {
  const diffIds: string[] = [];
  const layerPaths: string[] = [];
  const size = layerTarSize(p);
  for (let l = 0; l < p.layers; l++) {
    const id = createHash("sha256").update(`layer ${l}`).digest("hex");
    layerPaths.push(`${id}/layer.tar`);
    yield header(`${id}/`, 0, "5");
    yield header(`${id}/layer.tar`, size, "0");
    const hash = createHash("sha256");
    const out = function* (): Generator<Buffer> {
      yield header(`layer${l}/`, 0, "5");
      const files = [
        ...Array.from({ length: p.smallFiles }, (_, i) => [`layer${l}/small-${i}.txt`, p.smallSize] as const),
        ...Array.from({ length: p.largeFiles }, (_, i) => [`layer${l}/large-${i}.bin`, p.largeSize] as const),
      ];
      for (const [name, n] of files) {
        yield header(name, n, "0");
        yield* content(name, n);
        if (pad(n) > 0) yield ZEROS.subarray(0, pad(n));
      }
      yield END_OF_ARCHIVE;
    };
    let written = 0;
    for (const b of out()) {
      hash.update(b);
      written += b.length;
      yield b;
    }
    if (written !== size) throw new Error(`layer ${l}: wrote ${written} bytes, header says ${size}`);
    diffIds.push(`sha256:${hash.digest("hex")}`);
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      config: { User: "1000" },
      rootfs: { type: "layers", diff_ids: diffIds },
      history: diffIds.map((_, i) => ({ created_by: `streamed layer ${i}` })),
    }),
  );
  const configName = `${createHash("sha256").update(config).digest("hex")}.json`;
  for (const [name, data] of [
    [configName, config],
    ["manifest.json", Buffer.from(JSON.stringify([{ Config: configName, RepoTags: [repoTag], Layers: layerPaths }]))],
  ] as const) {
    yield header(name, data.length, "0");
    yield data;
    if (pad(data.length) > 0) yield ZEROS.subarray(0, pad(data.length));
  }
  yield END_OF_ARCHIVE;
}
