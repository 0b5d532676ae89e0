// gather(): small network reads packed into larger pieces, large ones passed
// through untouched, and not a byte lost, reordered or added.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { gather } from "../packages/core/src/compression.js";

async function* from(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* parts;
}

describe("gather", () => {
  it("keeps the bytes and yields pieces of at least `min` (but the last)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 40 }), fc.integer({ min: 1, max: 256 }), async (parts, min) => {
        const out: Uint8Array[] = [];
        for await (const c of gather(from(parts), min)) out.push(Uint8Array.from(c));
        expect(Buffer.concat(out)).toEqual(Buffer.concat(parts));
        for (const c of out.slice(0, -1)) expect(c.length).toBeGreaterThanOrEqual(min);
        for (const c of out) expect(c.length).toBeGreaterThan(0);
      }),
      { seed: 6, numRuns: 300 },
    );
  });

  it("passes a large chunk through as the same object when nothing is pending", async () => {
    const big = new Uint8Array(1000);
    const out: Uint8Array[] = [];
    for await (const c of gather(from([big, new Uint8Array(3), new Uint8Array(5)]), 100)) out.push(c);
    expect(out[0]).toBe(big);
    expect(out.slice(1).map((c) => c.length)).toEqual([8]);
  });
});
