/**
 * The one error type core throws on bad input. `code` is a stable string that
 * scripts may match on; `message` is a single line that names the problem.
 * Only the CLI maps it to an exit code (2, with the message on one stderr line).
 */
export type ErrorCode =
  | "INVALID_INPUT"
  | "INVALID_REFERENCE"
  | "INVALID_PLATFORM"
  | "NOT_FOUND"
  | "AMBIGUOUS_IMAGE"
  | "PLATFORM_NOT_FOUND"
  | "MANIFEST_INVALID"
  | "CONFIG_INVALID"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "UNSUPPORTED_SCHEMA1"
  | "DIGEST_MISMATCH"
  | "SIZE_MISMATCH"
  | "DIFF_ID_MISMATCH"
  | "LAYER_COUNT_MISMATCH"
  | "DECOMPRESS_FAILED"
  | "TAR_INVALID"
  | "ARCHIVE_INVALID"
  | "LIMIT_EXCEEDED"
  | "WHITEOUT_INVALID"
  | "AUTH_FAILED"
  | "REGISTRY_ERROR"
  | "NETWORK_ERROR"
  | "ABORTED"
  | "POLICY_INVALID"
  /** ScanOptions.timeout passed; the message names what was still running. */
  | "TIMEOUT"
  /** The input is an OCI artifact (a Helm chart, a signature, an SBOM…), not a container image. */
  | "NOT_AN_IMAGE";

export class LayerlintError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LayerlintError";
    this.code = code;
  }
}

export function isLayerlintError(e: unknown): e is LayerlintError {
  return e instanceof LayerlintError;
}

/** A decoder's own failure, e.g. `gzip: unexpected end of file` (all decoders word it alike). */
export function decompressError(format: "gzip" | "zstd", message: string): LayerlintError {
  return new LayerlintError("DECOMPRESS_FAILED", `${format}: ${message}`);
}

/** `sha256:ab12cd34ef56…`: enough of a digest to name it in a one-line error. */
export function shortDigest(digest: string): string {
  const i = digest.indexOf(":");
  return i < 0 ? digest.slice(0, 12) : `${digest.slice(0, i + 13)}…`;
}
