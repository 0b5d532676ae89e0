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
  /**
   * Decoder memory for all layers in flight together (DecoderBudget): zstd
   * frames reserve what their headers declare before they decode, and
   * layers wait while it is spent. 256 MiB fits two frames with the largest
   * window accepted (128 MiB) or sixteen zstd -19 layers (8 MiB windows)
   * at once, and keeps a scan's peak RSS under 512 MiB with room for the
   * rest of the scan. Must be at least the largest frame's need (about
   * 130 MiB for a 128 MiB window); a frame that needs more is an error.
   */
  maxDecoderBytes: number;
  /**
   * The second look (second-look.ts): when an analyzer needs the whole of a
   * file the walk did not capture in full (a /etc/passwd reached through a
   * symlink or hardlink from a name the walk did not ask for, or one over
   * its 1 MiB capture cap), the layer that carries it is read once more and
   * that file captured whole. This bounds those files together: 16 MiB. A
   * file that does not fit stays as it was, and the check fails closed.
   */
  maxSecondLookBytes: number;
}

export const defaultLimits: Limits = {
  maxManifestBytes: 4 * 1024 * 1024,
  maxConfigBytes: 8 * 1024 * 1024,
  maxIndexDepth: 8,
  maxSecretFileBytes: 1024 * 1024,
  maxCapturedBytes: 64 * 1024 * 1024,
  maxDecoderBytes: 256 * 1024 * 1024,
  maxSecondLookBytes: 16 * 1024 * 1024,
};
