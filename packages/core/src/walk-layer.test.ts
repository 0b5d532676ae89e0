import { describe, expect, it } from "vitest";
import tar from "tar-stream";
import type { FileEntry } from "./types.js";
import { walkLayer } from "./walk-layer.js";

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
    expect([...idx.contents.keys()].sort()).toEqual(["/app/both.conf", "/etc/passwd"]);
    expect(Buffer.from(idx.contents.get("/etc/passwd")!).toString()).toBe(files[0]![1]);
    // Read once to the larger cap; the retained prefix is its own copy.
    const kept = idx.contents.get("/app/both.conf")!;
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
