import zlib from "node:zlib";
import { Readable, pipeline, type Duplex } from "node:stream";
import { decompressError, LayerlintError } from "./errors.js";
import { zstdDecompress } from "./zstd-wasm.js";
import { gunzip } from "./gunzip.js";
import { MAX_WINDOW_BYTES, ZstdFrames } from "./zstd-frames.js";
import { nodeZstdErrorMessage } from "./zstd-errors.js";

export type Compression = "gzip" | "zstd" | "none";

/**
 * Output chunk size of the decompressors, and the size network reads are
 * packed to. zlib's 16 KiB default inflates at 226 MB/s, 256 KiB at 586
 * (measured when choosing the decoders). Every chunk is one round trip between the scan thread
 * and zlib on the thread pool, so larger chunks also mean fewer hops: on
 * the bench image a whole scan took a median 5.07 s at 512 KiB, 5.14 s at
 * 1 MiB and 5.33 s at 256 KiB, with peak RSS rising from 1 MiB on
 * (bench/NOTES.md).
 */
export const CHUNK = 512 * 1024;

/**
 * Tells gzip, zstd and plain tar apart by magic bytes, never by media type,
 * as containerd does (DetectCompression):
 * https://github.com/containerd/containerd/blob/main/pkg/archive/compression/compression.go
 * gzip 1f 8b (RFC 1952); zstd 28 b5 2f fd, or a skippable frame 5? 2a 4d 18 (RFC 8878).
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
 * Node's built-in decoder gets the same window ceiling as the WebAssembly
 * one, explicitly (ZSTD_d_windowLogMax; libzstd's default is the same 27).
 * `maxOutputLength` bounds only the one-shot zlib calls, not streams, so it
 * has nothing to bound here: output is paced by the consumer.
 * https://nodejs.org/api/zlib.html#class-zstdoptions
 */
const windowLogMax = (zlib.constants as unknown as Record<string, number | undefined>).ZSTD_d_windowLogMax;
const nodeZstdOptions = {
  chunkSize: CHUNK,
  ...(windowLogMax === undefined ? {} : { params: { [windowLogMax]: Math.log2(MAX_WINDOW_BYTES) } }),
};

/**
 * Where a zstd decoder's memory comes from: reserve(total) raises the
 * layer's share of the scan-wide budget to `total` bytes, waiting when the
 * promise says so (DecoderAccount, or a worker's request to the scan thread).
 */
export interface DecoderMemory {
  reserve(total: number): Promise<void> | undefined;
}

/**
 * Fixed cost of one zstd decoder besides its frame buffers: the WebAssembly
 * staging buffers (1 MiB in, 128 KiB out) and libzstd's ZSTD_DCtx (about
 * 160 KiB, ZSTD_estimateDCtxSize), rounded up.
 */
export const ZSTD_DECODER_OVERHEAD = 1536 * 1024;

/**
 * Passes the stored zstd bytes on only once the memory their frames'
 * decoder will allocate is reserved: each chunk is scanned for frame
 * headers first (ZstdFrames, which also refuses a window over the ceiling).
 */
async function* withinBudget(src: AsyncIterable<Uint8Array>, memory: DecoderMemory | undefined): AsyncGenerator<Uint8Array> {
  const frames = new ZstdFrames();
  let held = 0;
  for await (const chunk of src) {
    const need = frames.scan(chunk);
    if (need > held) {
      held = need;
      const wait = memory?.reserve(need + ZSTD_DECODER_OVERHEAD);
      if (wait) await wait;
    }
    yield chunk;
  }
}

/**
 * Decompresses `src` after sniffing its first bytes. Errors from the
 * decompressor become DECOMPRESS_FAILED; errors from `src` (digest checks)
 * pass through unchanged. `borrow`: see zstdDecompress. `memory`: where a
 * zstd decoder reserves what its frames declare (none: only the window
 * ceiling applies).
 */
export async function* decompress(
  src: AsyncIterable<Uint8Array>,
  onKind?: (k: Compression) => void,
  borrow = false,
  memory?: DecoderMemory,
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
  if (kind === "gzip") {
    yield* gunzip(all(), CHUNK);
    return;
  }
  const input = withinBudget(all(), memory);
  if (!nodeZstd) {
    yield* zstdDecompress(input, borrow);
    return;
  }
  const decoder = nodeZstd(nodeZstdOptions);
  const stream = Readable.from(input, { objectMode: false, highWaterMark: CHUNK });
  let srcError: unknown;
  stream.on("error", (e) => (srcError = e));
  const out = pipeline(stream, decoder, () => {});
  try {
    for await (const chunk of out) yield chunk as Uint8Array;
  } catch (e) {
    if (srcError) throw srcError;
    if (e instanceof LayerlintError) throw e;
    throw decompressError("zstd", nodeZstdErrorMessage(e as Error));
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
    // Not zeroed: every byte handed on has been written first.
    buf ??= Buffer.allocUnsafe(min);
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(chunk.length - off, min - fill);
      buf.set(chunk.subarray(off, off + n), fill);
      fill += n;
      off += n;
      if (fill === min) {
        yield buf;
        buf = Buffer.allocUnsafe(min);
        fill = 0;
      }
    }
  }
  if (fill > 0) yield buf!.subarray(0, fill);
}
