/**
 * One wording for zstd decoding errors, whichever decoder ran: libzstd as
 * WebAssembly reports a numeric ZSTD_ErrorCode, Node's built-in decoder the
 * same code as `errno` (with `code` "ZSTD_error_*") and a stream that ends
 * inside a frame as zlib's Z_BUF_ERROR. A corrupt layer then fails with the
 * same one-line error on every Node version.
 * Codes: https://github.com/facebook/zstd/blob/dev/lib/zstd_errors.h
 * Node's errors: https://nodejs.org/api/zlib.html#class-zlibzstddecompress
 */
const NAMES: Record<number, string> = {
  10: "unknown frame descriptor",
  12: "unsupported zstd version",
  14: "unsupported frame parameter",
  16: "frame requires too much memory for decoding",
  20: "corrupted block",
  22: "checksum mismatch",
  64: "allocation failed",
};

export const ZSTD_TRUNCATED = "unexpected end of data (truncated frame)";

/** The message for a ZSTD_ErrorCode. */
export function zstdErrorName(code: number): string {
  return NAMES[code] ?? `decoding error ${code}`;
}

/** The message for an error of Node's built-in zstd decoder (zlib.createZstdDecompress). */
export function nodeZstdErrorMessage(e: { message: string; code?: unknown; errno?: unknown }): string {
  if (e.code === "Z_BUF_ERROR") return ZSTD_TRUNCATED;
  if (typeof e.code === "string" && e.code.startsWith("ZSTD_error_") && typeof e.errno === "number") return zstdErrorName(e.errno);
  return e.message;
}
