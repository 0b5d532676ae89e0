import zlib from "node:zlib";
import { Readable, pipeline, type Duplex } from "node:stream";
import { decompressError, LayerlintError } from "./errors.js";
import { zstdDecompress } from "./zstd-wasm.js";
import { gunzip } from "./gunzip.js";

export type Compression = "gzip" | "zstd" | "none";

/**
 * Output chunk size of the decompressors, and the size network reads are
 * packed to. zlib's 16 KiB default inflates at 226 MB/s, 256 KiB at 586
 * (DEPENDENCIES.md). Every chunk is one round trip between the scan thread
 * and zlib on the thread pool, so larger chunks also mean fewer hops: on
 * the bench image a whole scan took a median 5.07 s at 512 KiB, 5.14 s at
 * 1 MiB and 5.33 s at 256 KiB, with peak RSS rising from 1 MiB on
 * (bench/NOTES.md).
 */
export const CHUNK = 512 * 1024;

/**
 * Tells gzip, zstd and plain tar apart by magic bytes, never by media type
 * (SPECS §5): gzip 1f 8b; zstd 28 b5 2f fd, or a skippable frame 5? 2a 4d 18.
 */
export function sniffCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head.length >= 4) {
    if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return "zstd";
    if ((head[0]! & 0xf0) === 0x50 && head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18) return "zstd";
  }
  return "none";
}

const nodeZstd = (zlib as unknown as { createZstdDecompress?: (o?: object) => Duplex }).createZstdDecompress;

/** Which zstd decoder this Node offers: built-in (Node ≥ 22.15) or libzstd as WebAssembly (zstddec). */
export const zstdImplementation: "node" | "wasm" = nodeZstd ? "node" : "wasm";

/**
 * Decompresses `src` after sniffing its first bytes. Errors from the
 * decompressor become DECOMPRESS_FAILED; errors from `src` (digest checks)
 * pass through unchanged. `borrow`: see zstdDecompress.
 */
export async function* decompress(
  src: AsyncIterable<Uint8Array>,
  onKind?: (k: Compression) => void,
  borrow = false,
): AsyncGenerator<Uint8Array> {
  const it = src[Symbol.asyncIterator]();
  const headParts: Uint8Array[] = [];
  let headLen = 0;
  let done = false;
  while (headLen < 4) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    headParts.push(r.value);
    headLen += r.value.length;
  }
  const head = headParts.length === 1 ? headParts[0]! : Buffer.concat(headParts);
  const kind = sniffCompression(head);
  onKind?.(kind);
  async function* all(): AsyncGenerator<Uint8Array> {
    if (headLen > 0) yield head;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  if (kind === "none") {
    yield* all();
    return;
  }
  const input = all();
  if (kind === "gzip") {
    yield* gunzip(input, CHUNK);
    return;
  }
  if (!nodeZstd) {
    yield* zstdDecompress(input, borrow);
    return;
  }
  const decoder = nodeZstd({ chunkSize: CHUNK });
  const stream = Readable.from(input, { objectMode: false, highWaterMark: CHUNK });
  let srcError: unknown;
  stream.on("error", (e) => (srcError = e));
  const out = pipeline(stream, decoder, () => {});
  try {
    for await (const chunk of out) yield chunk as Uint8Array;
  } catch (e) {
    if (srcError) throw srcError;
    if (e instanceof LayerlintError) throw e;
    throw decompressError("zstd", (e as Error).message);
  } finally {
    stream.destroy();
  }
  if (srcError) throw srcError;
}

/**
 * Passes chunks of at least `min` bytes through as they are and packs
 * smaller ones together (one copy) until `min` is reached or the input ends.
 */
export async function* gather(src: AsyncIterable<Uint8Array>, min: number): AsyncGenerator<Uint8Array> {
  let buf: Uint8Array | undefined;
  let fill = 0;
  for await (const chunk of src) {
    if (fill === 0 && chunk.length >= min) {
      yield chunk;
      continue;
    }
    buf ??= new Uint8Array(min);
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(chunk.length - off, min - fill);
      buf.set(chunk.subarray(off, off + n), fill);
      fill += n;
      off += n;
      if (fill === min) {
        yield buf;
        buf = new Uint8Array(min);
        fill = 0;
      }
    }
  }
  if (fill > 0) yield buf!.subarray(0, fill);
}
