import type { Compression } from "../compression.js";
import type { ErrorCode } from "../errors.js";

/**
 * Messages between the scan thread and a layer worker. One layer at a time
 * per worker. Bytes travel in fixed-size ArrayBuffers that are transferred,
 * not cloned, and sent back once read, so a layer streams through a few
 * recycled buffers instead of leaving garbage behind in either thread.
 */
export type ToWorker =
  | { t: "start"; digest: string; size: number; diffId: string; verifyDigest: boolean }
  /** Stored (compressed) bytes of the blob, in order: buf[0, len). */
  | { t: "in"; buf: ArrayBuffer; len: number }
  | { t: "in-end" }
  /** An "out" buffer, read and returned for reuse. */
  | { t: "back"; buf: ArrayBuffer }
  /** The decoder memory last asked for is reserved: decoding may go on. */
  | { t: "granted" };

export type FromWorker =
  /** The decoder is done with an "in" buffer; `buf` comes back when it can be reused. */
  | { t: "ack"; bytes: number; buf: ArrayBuffer | undefined }
  /** Uncompressed tar bytes, in order: buf[0, len). */
  | { t: "out"; buf: ArrayBuffer; len: number }
  /** Every byte was sent and every check (size, digest, diff_id) passed. */
  | { t: "end"; compression: Compression }
  | { t: "error"; code: ErrorCode | undefined; message: string }
  /**
   * The zstd frames ahead need `bytes` of decoder memory in all (the layer's
   * share, not an increment): the worker waits for "granted" before it
   * decodes them. The budget lives on the scan thread, shared by all layers.
   */
  | { t: "reserve"; bytes: number };

/** Size of every buffer in flight, both ways. */
export const BUFFER_BYTES = 1024 * 1024;
/** Stored bytes in flight towards a worker before the sender waits. */
export const INPUT_WINDOW = 2 * BUFFER_BYTES;
/** Uncompressed buffers a worker may have out at once. */
export const OUTPUT_BUFFERS = 2;
