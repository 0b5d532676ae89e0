import { decompressError, LayerlintError } from "./errors.js";
import { mib } from "./decoder-budget.js";

/**
 * Follows the frame structure of a zstd stream (RFC 8878, "Frames"), reading
 * only headers and skipping block contents, so the memory each frame's
 * decoder will allocate is known before the decoder sees that frame:
 * https://www.rfc-editor.org/rfc/rfc8878#section-3.1.1
 *
 * A frame's window is declared in its header; libzstd's streaming decoder
 * allocates its buffers from it as soon as the header is read
 * (ZSTD_decompressStream, "Adapt buffer sizes to frame header instructions"):
 * https://github.com/facebook/zstd/blob/dev/lib/decompress/zstd_decompress.c
 * Scanning the stored bytes a step ahead of the decoder lets the caller
 * reserve that memory first, or refuse the frame.
 */

/**
 * libzstd's default ceiling on a frame's window (ZSTD_WINDOWLOG_LIMIT_DEFAULT
 * = 27): `zstd -d` and the WebAssembly decoder refuse larger windows unless
 * told otherwise (--long=31, --memory). We never tell them otherwise (the
 * WebAssembly build exports no ZSTD_DCtx_setParameter to do so).
 * https://github.com/facebook/zstd/blob/dev/lib/zstd.h
 * containerd's decoder (klauspost/compress, default options) goes up to
 * 512 MiB (MaxWindowSize in
 * https://github.com/klauspost/compress/blob/master/zstd/framedec.go): a
 * layer with a window between the two is one it unpacks and we refuse, an
 * error, never a pass.
 */
export const MAX_WINDOW_BYTES = 128 * 1024 * 1024;

/** Block_Maximum_Size: min(Window_Size, 128 KiB). */
const BLOCK_MAX = 128 * 1024;
/** WILDCOPY_OVERLENGTH * 2: the slack libzstd adds to its output ring buffer. */
const RING_SLACK = 64;
const ZSTD_MAGIC = 0xfd2fb528;

/** libzstd raises a smaller window to 1 KiB (ZSTD_WINDOWLOG_ABSOLUTEMIN) before sizing its buffers. */
const MIN_WINDOW = 1024;

/**
 * Bytes libzstd's streaming decoder allocates for one frame, from the
 * window its header declares: an input buffer of one block
 * (fParams.blockSizeMax) and an output ring (ZSTD_decodingBufferSize_min:
 * window + one block, or the whole content when that is smaller and
 * declared).
 */
export function frameDecoderBytes(windowSize: number, contentSize: number | undefined): number {
  const window = Math.max(windowSize, MIN_WINDOW);
  const ring = window + Math.min(window, BLOCK_MAX) + RING_SLACK;
  return Math.max(Math.min(windowSize, BLOCK_MAX), 4) + (contentSize === undefined ? ring : Math.min(contentSize, ring));
}

const enum State {
  Magic,
  SkipSize,
  Descriptor,
  Header,
  BlockHeader,
  Skip,
}

export class ZstdFrames {
  private state = State.Magic;
  /** Header bytes gathered so far (a header may straddle chunks): 14 at most. */
  private readonly head = new Uint8Array(16);
  private have = 0;
  private want = 4;
  private skip = 0;
  /** After the skip: a block header (more blocks), or the next frame. */
  private afterSkip = State.Magic;
  private checksum = false;
  /** Largest decoder allocation among the frames seen so far. */
  private largest = 0;

  /**
   * Follows `chunk`; returns the largest decoder allocation among all frames
   * whose header is complete by the end of it. Throws what libzstd would
   * throw on the same bytes when the structure is not zstd, and
   * LIMIT_EXCEEDED for a window over MAX_WINDOW_BYTES.
   */
  scan(chunk: Uint8Array): number {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.state === State.Skip) {
        const step = Math.min(this.skip, n - i);
        this.skip -= step;
        i += step;
        if (this.skip === 0) this.enter(this.afterSkip);
        continue;
      }
      const step = Math.min(this.want - this.have, n - i);
      this.head.set(chunk.subarray(i, i + step), this.have);
      this.have += step;
      i += step;
      if (this.have === this.want) this.parsed();
    }
    return this.largest;
  }

  private enter(s: State): void {
    this.state = s;
    this.have = 0;
    this.want = s === State.BlockHeader ? 3 : s === State.Descriptor ? 1 : 4;
    if (s === State.Skip && this.skip === 0) this.enter(this.afterSkip);
  }

  private skipThen(bytes: number, next: State): void {
    this.skip = bytes;
    this.afterSkip = next;
    this.enter(State.Skip);
  }

  private parsed(): void {
    const h = this.head;
    switch (this.state) {
      case State.Magic: {
        const magic = (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0;
        if (magic === ZSTD_MAGIC) this.enter(State.Descriptor);
        // Skippable frames: magic 0x184D2A50..5F, a 4-byte size, then that many bytes.
        else if ((magic & 0xfffffff0) >>> 0 === 0x184d2a50) this.enter(State.SkipSize);
        else throw decompressError("zstd", "unknown frame descriptor");
        return;
      }
      case State.SkipSize:
        this.skipThen((h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0, State.Magic);
        return;
      case State.Descriptor: {
        const fhd = h[0]!;
        // Reserved bit: libzstd refuses the frame ("frameParameter_unsupported").
        if (fhd & 0x08) throw decompressError("zstd", "unsupported frame parameter");
        const single = (fhd & 0x20) !== 0;
        const fcsFlag = fhd >> 6;
        const fcsBytes = fcsFlag === 0 ? (single ? 1 : 0) : 1 << fcsFlag;
        const didBytes = [0, 1, 2, 4][fhd & 3]!;
        this.checksum = (fhd & 0x04) !== 0;
        // Keep the descriptor byte at head[0]; the rest of the header follows it.
        this.state = State.Header;
        this.have = 1;
        this.want = 1 + (single ? 0 : 1) + didBytes + fcsBytes;
        if (this.want === 1) this.parsed();
        return;
      }
      case State.Header:
        this.frameHeader();
        this.enter(State.BlockHeader);
        return;
      case State.BlockHeader: {
        const bh = h[0]! | (h[1]! << 8) | (h[2]! << 16);
        const last = (bh & 1) === 1;
        const type = (bh >> 1) & 3;
        const size = bh >>> 3;
        if (type === 3) throw decompressError("zstd", "corrupted block");
        const after = last ? State.Magic : State.BlockHeader;
        // RLE blocks carry one byte; raw and compressed blocks carry Block_Size bytes.
        const body = type === 1 ? 1 : size;
        if (last && this.checksum) this.skipThen(body + 4, after);
        else this.skipThen(body, after);
        return;
      }
    }
  }

  /** Frame_Header complete in head[0..want): Window_Size, Frame_Content_Size, the decoder's allocation. */
  private frameHeader(): void {
    const h = this.head;
    const fhd = h[0]!;
    const single = (fhd & 0x20) !== 0;
    const fcsFlag = fhd >> 6;
    let p = 1;
    let window = 0;
    if (!single) {
      const wd = h[p++]!;
      const base = 2 ** (10 + (wd >> 3));
      window = base + (base / 8) * (wd & 7);
    }
    p += [0, 1, 2, 4][fhd & 3]!;
    let content: number | undefined;
    const fcsBytes = fcsFlag === 0 ? (single ? 1 : 0) : 1 << fcsFlag;
    if (fcsBytes === 1) content = h[p]!;
    else if (fcsBytes === 2) content = (h[p]! | (h[p + 1]! << 8)) + 256;
    else if (fcsBytes === 4) content = (h[p]! | (h[p + 1]! << 8) | (h[p + 2]! << 16) | (h[p + 3]! << 24)) >>> 0;
    else if (fcsBytes === 8) {
      const lo = (h[p]! | (h[p + 1]! << 8) | (h[p + 2]! << 16) | (h[p + 3]! << 24)) >>> 0;
      const hi = (h[p + 4]! | (h[p + 5]! << 8) | (h[p + 6]! << 16) | (h[p + 7]! << 24)) >>> 0;
      content = hi * 2 ** 32 + lo;
    }
    // Single_Segment: the window is the whole content.
    if (single) window = content!;
    if (window > MAX_WINDOW_BYTES) {
      throw new LayerlintError(
        "LIMIT_EXCEEDED",
        `zstd: a frame declares a ${mib(window)} window, over the ${mib(MAX_WINDOW_BYTES)} this decoder accepts`,
      );
    }
    this.largest = Math.max(this.largest, frameDecoderBytes(window, content));
  }
}
