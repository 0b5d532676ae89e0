/** Memory caps, each configurable through ScanOptions.limits (README "Limits"). */
export interface Limits {
  /**
   * Largest manifest or index accepted: 4 MiB, as the distribution registry
   * (https://github.com/distribution/distribution/blob/main/registry/handlers/manifests.go)
   * and oras do.
   */
  maxManifestBytes: number;
  /** Largest image config accepted. */
  maxConfigBytes: number;
  /** Deepest chain of nested indexes followed. */
  maxIndexDepth: number;
  /** Content read per file by the secret scanner; larger files are judged by name only. */
  maxSecretFileBytes: number;
  /**
   * File content held in memory at once across the whole scan: everything
   * retained for the analyzers (account databases, busybox, os-release) plus
   * the streamed buffers in flight. A capture that would pass it is refused
   * (counted in LoadedImage.captureRefused); that file's content then reads
   * as not captured and the checks that needed it fail closed. 64 MiB.
   */
  maxCapturedBytes: number;
}

export const defaultLimits: Limits = {
  maxManifestBytes: 4 * 1024 * 1024,
  maxConfigBytes: 8 * 1024 * 1024,
  maxIndexDepth: 8,
  maxSecretFileBytes: 1024 * 1024,
  maxCapturedBytes: 64 * 1024 * 1024,
};
