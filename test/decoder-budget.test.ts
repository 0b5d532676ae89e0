// The scan-wide decoder memory budget: grants in order, waits while spent,
// wakes on release, refuses a frame bigger than the whole budget, never
// deadlocks layers that hold memory and need more, and lets an abort end
// every wait.
import { describe, it, expect } from "vitest";
import { DecoderBudget } from "../packages/core/src/decoder-budget.js";
import { LayerlintError } from "../packages/core/src/errors.js";
import { formatDuration, parseDuration } from "../packages/core/src/duration.js";

const MiB = 1024 * 1024;
const tick = () => new Promise((r) => setTimeout(r, 0));

/** Whether a promise has settled by now. */
async function settled(p: Promise<unknown> | undefined): Promise<boolean> {
  if (p === undefined) return true;
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await tick();
  return done;
}

describe("DecoderBudget", () => {
  it("grants at once while it fits, then makes later layers wait until earlier ones release", async () => {
    const budget = new DecoderBudget(256 * MiB);
    const [a, b, c] = [budget.account(), budget.account(), budget.account()];
    expect(a.reserve(130 * MiB)).toBeUndefined();
    expect(b.reserve(120 * MiB)).toBeUndefined();
    const waitC = c.reserve(130 * MiB);
    expect(await settled(waitC)).toBe(false);
    expect(budget.inUse).toBe(250 * MiB);
    a.release();
    expect(await settled(waitC)).toBe(true);
    expect(budget.inUse).toBe(250 * MiB);
    b.release();
    c.release();
    expect(budget.inUse).toBe(0);
  });

  it("counts a layer's reservation as its total, not an increment: asking again for less or the same is free", () => {
    const budget = new DecoderBudget(10 * MiB);
    const a = budget.account();
    expect(a.reserve(4 * MiB)).toBeUndefined();
    expect(a.reserve(4 * MiB)).toBeUndefined();
    expect(a.reserve(2 * MiB)).toBeUndefined();
    expect(a.reserve(9 * MiB)).toBeUndefined();
    expect(budget.inUse).toBe(9 * MiB);
  });

  it("serves waiters first come, first served: a small late request does not overtake a large early one", async () => {
    const budget = new DecoderBudget(100 * MiB);
    const a = budget.account();
    a.reserve(90 * MiB);
    const big = budget.account().reserve(60 * MiB);
    const small = budget.account().reserve(5 * MiB);
    expect(await settled(small)).toBe(false);
    a.release();
    expect(await settled(big)).toBe(true);
    expect(await settled(small)).toBe(true);
  });

  it("refuses a frame that needs more than the whole budget, in one line", () => {
    const budget = new DecoderBudget(64 * MiB);
    let err: unknown;
    try {
      budget.account().reserve(130 * MiB);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LayerlintError);
    expect((err as LayerlintError).code).toBe("LIMIT_EXCEEDED");
    expect((err as Error).message).toBe("zstd: a frame needs 130 MiB of decoder memory, over the 64 MiB budget (limits.maxDecoderBytes)");
  });

  it("never deadlocks layers that all hold memory and all need more: the oldest holder goes over", async () => {
    const budget = new DecoderBudget(100 * MiB);
    const [a, b] = [budget.account(), budget.account()];
    a.reserve(50 * MiB);
    b.reserve(50 * MiB);
    const fresh = budget.account().reserve(10 * MiB); // holds nothing: waits, and is not the one let through
    const growA = a.reserve(80 * MiB);
    expect(await settled(growA)).toBe(false); // b may still release
    const growB = b.reserve(70 * MiB);
    expect(await settled(growA)).toBe(true); // both wait on each other now
    expect(await settled(growB)).toBe(false);
    expect(await settled(fresh)).toBe(false);
    expect(budget.inUse).toBe(130 * MiB);
    a.release(); // back under the budget: the queue in order, fresh first, then b's growth
    expect(await settled(fresh)).toBe(true);
    expect(await settled(growB)).toBe(true);
    expect(budget.inUse).toBe(80 * MiB);
  });

  it("rejects every wait with the signal's reason when the scan aborts, and a new wait at once", async () => {
    const ac = new AbortController();
    const budget = new DecoderBudget(10 * MiB, ac.signal);
    budget.account().reserve(10 * MiB);
    const waits = [budget.account().reserve(5 * MiB), budget.account().reserve(6 * MiB)];
    const reason = new LayerlintError("ABORTED", "scan aborted");
    ac.abort(reason);
    for (const w of waits) await expect(w).rejects.toBe(reason);
    expect(() => budget.account().reserve(5 * MiB)).toThrow(reason);
  });

  it("drops a released layer's pending request and lets the next one through", async () => {
    const budget = new DecoderBudget(10 * MiB);
    const a = budget.account();
    a.reserve(8 * MiB);
    const b = budget.account();
    const waitB = b.reserve(5 * MiB);
    const waitC = budget.account().reserve(2 * MiB);
    b.release(); // b's layer ended (failed) while waiting
    expect(await settled(waitC)).toBe(true);
    expect(await settled(waitB)).toBe(false);
    expect(budget.inUse).toBe(10 * MiB);
  });
});

describe("parseDuration / formatDuration", () => {
  it.each([
    ["90s", 90_000],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["1.5h", 5_400_000],
    ["250ms", 250],
    [" 2m5s ", 125_000],
  ])("%s is %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "5", "0s", "-5m", "5 m", "m", "5x", "1d", "1000h"])("refuses %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it("formats back to a form it reads", () => {
    for (const ms of [300_000, 90_000, 5_400_000, 1500, 250, 3_661_000]) expect(parseDuration(formatDuration(ms))).toBe(ms);
    expect(formatDuration(300_000)).toBe("5m");
    expect(formatDuration(90_000)).toBe("1m30s");
  });
});
