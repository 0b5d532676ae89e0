import { describe, expect, it } from "vitest";
import tar from "tar-stream";
import type { FileEntry } from "./types.js";
import { walkLayer } from "./walk-layer.js";
import { CaptureBudget, MAX_REFUSED_PATHS } from "./capture-budget.js";

async function pack(files: [string, string][]): Promise<Buffer> {
  const p = tar.pack();
  for (const [name, body] of files) p.entry({ name }, body);
  p.finalize();
  const out: Buffer[] = [];
  for await (const c of p) out.push(c as Buffer);
  return Buffer.concat(out);
}

async function* once(b: Uint8Array): AsyncGenerator<Uint8Array> {
  yield b;
}

describe("walkLayer: retained vs streamed content", () => {
  const files: [string, string][] = [
    ["etc/passwd", "root:x:0:0::/root:/bin/sh\n"],
    ["app/.env", "SECRET=abcdefgh\n"],
    ["app/both.conf", "0123456789"],
    ["app/none.bin", "xyz"],
  ];

  it("keeps retained bytes, hands streamed bytes over once without keeping them", async () => {
    const seen: [string, string][] = [];
    const idx = await walkLayer(
      once(await pack(files)),
      3,
      (e) => (e.path === "/etc/passwd" ? 1000 : e.path === "/app/both.conf" ? 4 : 0),
      {
        wants: (e) => (e.path === "/app/.env" || e.path === "/app/both.conf" ? 1000 : 0),
        onContent: (e: FileEntry, b) => seen.push([`${e.layer}:${e.path}`, Buffer.from(b).toString()]),
      },
    );
    expect(seen).toEqual([
      ["3:/app/.env", "SECRET=abcdefgh\n"],
      ["3:/app/both.conf", "0123456789"],
    ]);
    // Keyed by the entry object the walk made, the one in `entries`.
    const byPath = new Map([...idx.contents].map(([e, b]) => [e.path, b]));
    expect([...byPath.keys()].sort()).toEqual(["/app/both.conf", "/etc/passwd"]);
    for (const e of idx.contents.keys()) expect(idx.entries).toContain(e);
    expect(Buffer.from(byPath.get("/etc/passwd")!).toString()).toBe(files[0]![1]);
    // Read once to the larger cap; the retained prefix is its own copy.
    const kept = byPath.get("/app/both.conf")!;
    expect(Buffer.from(kept).toString()).toBe("0123");
    expect(kept.buffer.byteLength).toBe(4);
  });

  it("streams with no retention at all", async () => {
    let calls = 0;
    const idx = await walkLayer(once(await pack(files)), 0, undefined, { wants: () => 10, onContent: () => void calls++ });
    expect(calls).toBe(4);
    expect(idx.contents.size).toBe(0);
  });
});

describe("walkLayer: the scan-wide capture budget", () => {
  const big = (n: number): [string, string][] => Array.from({ length: n }, (_, i) => [`bin${i}/busybox`, "z".repeat(1000)]);

  it("retains until the budget is spent, then refuses whole captures and counts them, across layers", async () => {
    const budget = new CaptureBudget(2500);
    const a = await walkLayer(once(await pack(big(2))), 0, () => 4096, undefined, budget);
    const b = await walkLayer(once(await pack(big(3))), 1, () => 4096, undefined, budget);
    expect(a.contents.size).toBe(2);
    expect(b.contents.size).toBe(0); // 2000 held: another 1000 would pass 2500
    expect(budget.retained).toBe(2000);
    expect(budget.refused).toBe(3);
    expect(budget.refusedPaths).toEqual(["/bin0/busybox", "/bin1/busybox", "/bin2/busybox"]);
    // A smaller capture still fits.
    const c = await walkLayer(once(await pack([["etc/passwd", "root:x:0:0::/:/bin/sh\n"]])), 2, () => 4096, undefined, budget);
    expect(c.contents.size).toBe(1);
  });

  it("streamed buffers count only while in flight", async () => {
    const budget = new CaptureBudget(1500);
    let streamed = 0;
    await walkLayer(once(await pack(big(20))), 0, undefined, { wants: () => 4096, onContent: () => void streamed++ }, budget);
    expect(streamed).toBe(20);
    expect(budget.refused).toBe(0);
    expect(budget.retained).toBe(0);
  });

  it("a retained prefix of a larger streamed read keeps only the prefix against the budget", async () => {
    const budget = new CaptureBudget(1300); // each read holds 1000 in flight, then 100 stays
    const idx = await walkLayer(
      once(await pack(big(3))),
      0,
      () => 100,
      { wants: () => 1000, onContent: () => undefined },
      budget,
    );
    expect(idx.contents.size).toBe(3);
    expect(budget.retained).toBe(300);
    expect(budget.refused).toBe(0);
  });

  it("keeps the first refused paths only", async () => {
    const budget = new CaptureBudget(0);
    await walkLayer(once(await pack(big(MAX_REFUSED_PATHS + 5))), 0, () => 1, undefined, budget);
    expect(budget.refused).toBe(MAX_REFUSED_PATHS + 5);
    expect(budget.refusedPaths).toHaveLength(MAX_REFUSED_PATHS);
  });
});
