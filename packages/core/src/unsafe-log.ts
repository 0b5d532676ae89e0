import type { UnsafeEntry, UnsafeReason } from "./types.js";

/**
 * How many UnsafeEntry objects are kept per (layer, reason). A hostile layer
 * can make every one of a million entries unsafe (all written through one
 * symlinked parent); the first ones say what happened, the count says how
 * often, and memory stays bounded whatever the layer holds.
 */
export const MAX_UNSAFE_LISTED = 100;

/** Per (layer, reason): how many entries were unsafe, and how many of them are listed. */
export interface UnsafeCount {
  layer: number;
  reason: UnsafeReason;
  /** Every entry with this reason in this layer. */
  total: number;
  /** The first `listed` of them are in the `unsafe` list; `total - listed` were only counted. */
  listed: number;
}

/** An UnsafeEntry list bounded per (layer, reason), with exact counts. */
export class UnsafeLog {
  readonly listed: UnsafeEntry[] = [];
  private readonly counts = new Map<number, Map<UnsafeReason, UnsafeCount>>();

  add(layer: number, reason: UnsafeReason, name: string, detail: string): void {
    const c = this.count(layer, reason);
    c.total++;
    if (c.listed < MAX_UNSAFE_LISTED) {
      c.listed++;
      this.listed.push({ layer, name, reason, detail });
    }
  }

  /** Takes over another log's entries and counts (a layer's, into the merge's). */
  absorb(entries: readonly UnsafeEntry[], counts: readonly UnsafeCount[]): void {
    for (const u of entries) {
      const c = this.count(u.layer, u.reason);
      if (c.listed < MAX_UNSAFE_LISTED) {
        c.listed++;
        this.listed.push(u);
      }
    }
    for (const k of counts) this.count(k.layer, k.reason).total += k.total;
  }

  /** Counts in first-seen order, by layer then reason. */
  tallies(): UnsafeCount[] {
    const out: UnsafeCount[] = [];
    for (const byReason of this.counts.values()) for (const c of byReason.values()) out.push(c);
    return out;
  }

  private count(layer: number, reason: UnsafeReason): UnsafeCount {
    let byReason = this.counts.get(layer);
    if (byReason === undefined) this.counts.set(layer, (byReason = new Map()));
    let c = byReason.get(reason);
    if (c === undefined) byReason.set(reason, (c = { layer, reason, total: 0, listed: 0 }));
    return c;
  }
}
