import type { ZSTDDecoder } from "zstddec/stream";
import { decompressError, LayerlintError } from "./errors.js";
import { ZSTD_TRUNCATED, zstdErrorName } from "./zstd-errors.js";

/**
 * zstd decoding on Node 20 (no zlib.createZstdDecompress there): libzstd
 * compiled to WebAssembly, as shipped by zstddec. Measured on the bench
 * layers at 3× fzstd, the pure-JavaScript alternative.
 *
 * Its memory is bounded twice. libzstd refuses a frame whose window is over
 * its default limit (ZSTD_WINDOWLOG_LIMIT_DEFAULT, 128 MiB; error 16 below),
 * and zstd-frames.ts refuses it earlier from the frame header. The module's
 * memory may grow to 2 GiB (its declared maximum), shared by every decoder
 * of the thread: decompress() reserves each layer's frames in the scan's
 * DecoderBudget before they reach a decoder, which bounds the sum. That
 * memory never shrinks: the thread keeps its high water until it ends (a
 * layer worker's ends with its layer when the layer held much of it). A
 * fresh instance per idle period was tried: V8 collects the old memory
 * late, so two could be resident at once, which was worse.
 *
 * zstddec's own streaming loop reads a synchronous iterable and does not
 * check ZSTD_decompressStream's error codes (a corrupt frame would spin), so
 * we borrow its instantiated module and drive ZSTD_decompressStream
 * ourselves: async input, output pulled by the consumer, every
 * return code checked, output drained until the decoder has nothing left,
 * and a frame cut short reported at the end. The diff_id check downstream
 * still verifies every byte.
 */

interface ZstdExports {
  memory: { readonly buffer: ArrayBuffer };
  malloc(size: number): number;
  free(ptr: number): void;
  ZSTD_createDCtx(): number;
  ZSTD_freeDCtx(dctx: number): number;
  ZSTD_decompressStream(dctx: number, output: number, input: number): number;
}

let exportsPromise: Promise<ZstdExports> | undefined;

/** Instantiates the module once per thread; zstddec's `_init` hook hands us the instance. */
function zstdExports(): Promise<ZstdExports> {
  exportsPromise ??= (async () => {
    // Loaded on first use: scans without zstd layers (and Node with built-in zstd) never need it.
    const { ZSTDDecoder } = await import("zstddec/stream");
    const decoder = new ZSTDDecoder();
    type Instantiated = Parameters<ZSTDDecoder["_init"]>[0];
    let instance: { exports: unknown } | undefined;
    const original = decoder._init.bind(decoder);
    decoder._init = (result: Instantiated) => {
      instance = (result as { instance: { exports: unknown } }).instance;
      original(result);
    };
    await decoder.init();
    if (instance === undefined) {
      // zstddec was already initialised elsewhere in this thread without our hook.
      throw new Error("zstd: the WebAssembly decoder could not be loaded");
    }
    return instance.exports as unknown as ZstdExports;
  })();
  return exportsPromise;
}

/** Input staged in wasm memory per call; larger chunks are fed in slices. */
const IN_CAPACITY = 1024 * 1024;
/** ZSTD_DStreamOutSize() is 128 KiB; that size measured fastest (1.3 GB/s against 1.0 at 1 MiB). */
const OUT_CAPACITY = 128 * 1024;
/** ZSTD_isError: return codes above (size_t)-ZSTD_error_maxCode (wasm32: 32-bit size_t). */
const ERROR_MIN = 0x1_0000_0000 - 120;

function zstdError(message: string): LayerlintError {
  return decompressError("zstd", message);
}

/**
 * One streaming decoder: owns a ZSTD_DCtx and three buffers in wasm memory,
 * freed on destroy whether the stream ended, failed or was abandoned.
 */
class WasmZstdDecoder {
  private readonly dctx: number;
  private readonly inBuf: number;
  private readonly outBuf: number;
  /** ZSTD_inBuffer and ZSTD_outBuffer structs: { ptr, size, pos }, 4 bytes each. */
  private readonly inStruct: number;
  private readonly outStruct: number;
  /** Last return of ZSTD_decompressStream: 0 once a frame is complete. */
  private last = 0;
  private freed = false;

  constructor(private readonly ex: ZstdExports) {
    this.dctx = ex.ZSTD_createDCtx();
    this.inBuf = ex.malloc(IN_CAPACITY);
    this.outBuf = ex.malloc(OUT_CAPACITY);
    this.inStruct = ex.malloc(12);
    this.outStruct = ex.malloc(12);
    if (!this.dctx || !this.inBuf || !this.outBuf || !this.inStruct || !this.outStruct) {
      this.free();
      throw zstdError(zstdErrorName(64));
    }
  }

  /**
   * Decodes `chunk`, one piece of output at a time (so the consumer sets the
   * pace). Each piece is a view of wasm memory, valid only until the next
   * is requested and only while no other decoder in this thread runs.
   */
  *decode(chunk: Uint8Array): Generator<Uint8Array> {
    for (let off = 0; off < chunk.length; off += IN_CAPACITY) {
      yield* this.feed(chunk.subarray(off, off + IN_CAPACITY));
    }
  }

  /** The input ended: an unfinished frame means the layer was cut short. */
  finish(): void {
    if (this.last !== 0) throw zstdError(ZSTD_TRUNCATED);
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    const ex = this.ex;
    if (this.dctx) ex.ZSTD_freeDCtx(this.dctx);
    for (const p of [this.inBuf, this.outBuf, this.inStruct, this.outStruct]) if (p) ex.free(p);
  }

  private *feed(piece: Uint8Array): Generator<Uint8Array> {
    const ex = this.ex;
    // Memory may grow on any call into wasm, which replaces memory.buffer: take fresh views each time.
    new Uint8Array(ex.memory.buffer).set(piece, this.inBuf);
    let view = new DataView(ex.memory.buffer);
    view.setUint32(this.inStruct, this.inBuf, true);
    view.setUint32(this.inStruct + 4, piece.length, true);
    view.setUint32(this.inStruct + 8, 0, true);
    for (;;) {
      view = new DataView(ex.memory.buffer);
      view.setUint32(this.outStruct, this.outBuf, true);
      view.setUint32(this.outStruct + 4, OUT_CAPACITY, true);
      view.setUint32(this.outStruct + 8, 0, true);
      const ret = ex.ZSTD_decompressStream(this.dctx, this.outStruct, this.inStruct) >>> 0;
      if (ret >= ERROR_MIN) {
        const code = 0x1_0000_0000 - ret;
        throw zstdError(zstdErrorName(code));
      }
      this.last = ret;
      view = new DataView(ex.memory.buffer);
      const produced = view.getUint32(this.outStruct + 8, true);
      const consumed = view.getUint32(this.inStruct + 8, true);
      if (produced > 0) yield new Uint8Array(ex.memory.buffer, this.outBuf, produced);
      // Done with this piece once it is consumed and the decoder did not fill
      // the output (a full output buffer may mean more is waiting inside).
      if (consumed >= piece.length && produced < OUT_CAPACITY) return;
    }
  }
}

/**
 * Decompresses a zstd stream (any number of frames, skippable frames
 * included). Errors of `src` pass through; decoding errors are
 * DECOMPRESS_FAILED. Output is produced only as fast as it is consumed, so
 * a highly compressed layer never piles up in memory.
 *
 * Each chunk is a copy, unless `borrow` is set: then it is a view of the
 * decoder's buffer, valid until the next chunk is requested. Borrow only
 * where this is the one decoder in the thread (a layer worker): another
 * decoder growing the shared wasm memory between two awaits would detach
 * the view.
 */
export async function* zstdDecompress(src: AsyncIterable<Uint8Array>, borrow = false): AsyncGenerator<Uint8Array> {
  const decoder = new WasmZstdDecoder(await zstdExports());
  try {
    for await (const chunk of src) {
      for (const out of decoder.decode(chunk)) yield borrow ? out : Buffer.from(out);
    }
    decoder.finish();
  } finally {
    decoder.free();
  }
}
