import { LayerlintError } from "./errors.js";
import { formatDuration, MAX_TIMER_MS } from "./duration.js";
import type { ScanActivity } from "./scan-activity.js";

/**
 * After the deadline, how long the scan's own cleanup (aborted downloads,
 * terminated workers, closed files) may take before the TIMEOUT error is
 * returned anyway.
 */
const CLEANUP_GRACE_MS = 2000;

/**
 * Runs `work` under an overall deadline of `ms`. When it passes, the signal
 * given to `work` aborts (downloads, workers and file reads stop, as on a
 * caller's abort) and the result is a TIMEOUT error naming what was still
 * running, even if some step ignored the signal. `outer` (the caller's own
 * signal) aborts `work` too.
 */
export async function withDeadline<T>(
  ms: number,
  outer: AbortSignal | undefined,
  activity: ScanActivity,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_TIMER_MS) {
    throw new LayerlintError("INVALID_INPUT", `timeout must be between 1 ms and ${MAX_TIMER_MS} ms, not ${ms}`);
  }
  const stop = new AbortController();
  const onAbort = () => stop.abort(outer!.reason);
  if (outer?.aborted) onAbort();
  else outer?.addEventListener("abort", onAbort, { once: true });
  let expired: LayerlintError | undefined;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expired = new LayerlintError("TIMEOUT", `scan did not finish within ${formatDuration(ms)}; still running: ${activity.describe()}`);
      reject(expired);
      stop.abort(expired);
    }, ms);
  });
  deadline.catch(() => {});
  const running = work(stop.signal);
  running.catch(() => {});
  try {
    return await Promise.race([running, deadline]);
  } catch (e) {
    if (expired === undefined) throw e;
    // Give the aborted work a moment to close what it holds, then report the deadline whatever it does.
    await Promise.race([running.catch(() => {}), new Promise((r) => setTimeout(r, CLEANUP_GRACE_MS).unref())]);
    throw expired;
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", onAbort);
  }
}
