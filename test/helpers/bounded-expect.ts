// The resource tests' assertions on a bounded child run (bounded-run.ts).
import { expect } from "vitest";
import type { BoundedRun } from "./bounded-run.js";
import { MiB } from "./resource-images.js";

/** The peak RSS a crafted input may cost the CLI. */
export const RSS_BOUND = 512 * MiB;

/** Checked first, so a regression reads as what it is: the memory or time it took. */
export function notKilled(r: BoundedRun): void {
  expect(r.killed, `killed by the parent (peak ${Math.round(r.peakRssBytes / MiB)} MiB, ${Math.round(r.wallMs)} ms)`).toBeUndefined();
}

export function expectBounded(r: BoundedRun, wallMs: number): void {
  notKilled(r);
  expect(r.peakRssBytes, "peak RSS").toBeLessThan(RSS_BOUND);
  expect(r.wallMs, "wall time").toBeLessThan(wallMs);
}
