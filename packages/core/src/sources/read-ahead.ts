import type { Readable } from "node:stream";

/**
 * Reads `stream` ahead of its consumer, up to `max` bytes, and hands the
 * chunks over joined into pieces of up to `piece` bytes.
 *
 * Why: a pipe holds 64 KiB (pipe(7)), and a Readable stops reading once its
 * own small buffer is full, so while the scan hashes and walks one piece
 * the writer (`docker save`, `cat`) blocks, and while the writer refills
 * the pipe the scan waits: the two take turns instead of running at once.
 * Reading ahead keeps the pipe drained while the scan works; joining the
 * 64 KiB reads into larger pieces saves every later stage a trip per read.
 * Memory: at most `max` bytes queued, plus the piece being joined.
 */
export async function* readAhead(stream: Readable, max: number, piece: number): AsyncGenerator<Uint8Array> {
  const queue: Uint8Array[] = [];
  let queued = 0;
  let ended = false;
  let failed: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onData = (c: Uint8Array): void => {
    if (c.length === 0) return;
    queue.push(c);
    queued += c.length;
    if (queued >= max) stream.pause();
    notify();
  };
  const onEnd = (): void => {
    ended = true;
    notify();
  };
  const onError = (e: unknown): void => {
    failed = { error: e };
    notify();
  };
  stream.on("data", onData);
  stream.once("end", onEnd);
  stream.once("close", onEnd);
  stream.once("error", onError);
  try {
    for (;;) {
      if (queue.length === 0) {
        if (failed !== undefined) throw failed.error;
        if (ended) return;
        if (stream.isPaused()) stream.resume();
        await new Promise<void>((r) => (wake = r));
        continue;
      }
      let out: Uint8Array;
      if (queue[0]!.length >= piece || queue.length === 1) {
        out = queue.shift()!;
      } else {
        let n = 0;
        let k = 0;
        while (k < queue.length && n + queue[k]!.length <= piece) n += queue[k++]!.length;
        out = Buffer.concat(queue.splice(0, k), n);
      }
      queued -= out.length;
      if (queued < max / 2 && stream.isPaused() && !ended) stream.resume();
      yield out;
    }
  } finally {
    stream.off("data", onData);
    stream.off("end", onEnd);
    stream.off("close", onEnd);
    stream.off("error", onError);
  }
}
