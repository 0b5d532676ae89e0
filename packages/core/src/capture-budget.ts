/**
 * The scan-wide budget for file content held in memory (Limits.maxCapturedBytes).
 *
 * Each capture is checked when it is requested, before its bytes are read:
 * retained content (ctx.content) counts until the end of the scan, streamed
 * content (onContent) only while its buffer is in flight. A request that
 * would pass the limit is refused whole: that file's content then reads
 * undefined and the analyzers that needed it fail closed. One budget is
 * shared by every layer of a scan, so memory stays bounded however many
 * files ask (a thousand 4 MiB `busybox` files retain at most the limit).
 */

/** How many refused paths are kept for the report. */
export const MAX_REFUSED_PATHS = 10;

export class CaptureBudget {
  /** Bytes retained for the scan plus bytes in flight now. */
  private held = 0;
  /** Bytes retained for the scan. */
  retained = 0;
  /** Captures refused because the budget was spent. */
  refused = 0;
  /** Walk-time paths of the first MAX_REFUSED_PATHS refused captures. */
  readonly refusedPaths: string[] = [];

  constructor(readonly limit: number) {}

  /** Reserves `bytes` for one capture of `path`; false (and counted) when it would pass the limit. */
  reserve(bytes: number, path: string): boolean {
    if (this.held + bytes > this.limit) {
      this.refused++;
      if (this.refusedPaths.length < MAX_REFUSED_PATHS) this.refusedPaths.push(path);
      return false;
    }
    this.held += bytes;
    return true;
  }

  /** After a reserved capture is read: `kept` bytes stay retained, the rest of `reserved` is freed. */
  settle(reserved: number, kept: number): void {
    this.held -= reserved - kept;
    this.retained += kept;
  }

  /**
   * Gives back what one walk held and counted, when its blob turned out not
   * to be a layer of the image: a member of a streamed archive is walked
   * before the document naming the image's layers arrives (archive-pass.ts).
   */
  release(retained: number, refused: number, refusedPaths: readonly string[]): void {
    this.held -= retained;
    this.retained -= retained;
    this.refused -= refused;
    for (const p of refusedPaths) {
      const i = this.refusedPaths.indexOf(p);
      if (i >= 0) this.refusedPaths.splice(i, 1);
    }
  }
}
