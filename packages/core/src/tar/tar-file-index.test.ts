import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tar from "tar-stream";
import { indexTarFile, memberName } from "./tar-file-index.js";

let dir = "";
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), "layerlint-tar-index-")); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function pack(entries: Array<[Partial<tar.Header> & { name: string }, Buffer?]>): Promise<Buffer> {
  const p = tar.pack();
  for (const [h, b] of entries) b === undefined ? p.entry(h) : p.entry(h, b);
  p.finalize();
  const out: Buffer[] = [];
  for await (const c of p) out.push(c as Buffer);
  return Buffer.concat(out);
}

async function readAt(path: string, offset: number, size: number): Promise<Buffer> {
  const fh = await open(path, "r");
  try {
    const b = Buffer.alloc(size);
    await fh.read(b, 0, size, offset);
    return b;
  } finally {
    await fh.close();
  }
}

async function errorOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error("expected an error");
}

describe("indexTarFile", () => {
  it("indexes members with content offsets that read back byte-exact", async () => {
    const layer = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 31) & 0xff));
    const long = `blobs/sha256/${"a".repeat(120)}`;
    const files: Record<string, Buffer> = {
      "manifest.json": Buffer.from('[{"Config":"c.json"}]'),
      "blobs/sha256/abc": layer,
      [long]: Buffer.from("long name via PAX"),
      "index.json": Buffer.from("{}"),
    };
    const buf = await pack([
      [{ name: "./manifest.json" }, files["manifest.json"]],
      [{ name: "blobs", type: "directory" }],
      [{ name: "/blobs/sha256/abc" }, files["blobs/sha256/abc"]],
      [{ name: long }, files[long]],
      [{ name: "layer2/layer.tar", type: "symlink", linkname: "../blobs/sha256/abc" }],
      [{ name: "index.json" }, files["index.json"]],
    ]);
    const path = join(dir, "image.tar");
    await writeFile(path, Buffer.concat([buf, Buffer.from("junk after the end")]));
    const idx = await indexTarFile(path);
    expect([...idx.keys()]).toEqual(["manifest.json", "blobs", "blobs/sha256/abc", long, "layer2/layer.tar", "index.json"]);
    for (const [name, content] of Object.entries(files)) {
      const m = idx.get(name)!;
      expect([m.type, m.size]).toEqual(["file", content.length]);
      expect(await readAt(path, m.offset, m.size)).toEqual(content);
    }
    expect(idx.get("layer2/layer.tar")).toMatchObject({ type: "symlink", linkname: "../blobs/sha256/abc", size: 0 });
    expect(idx.get("blobs")!.type).toBe("dir");
  });

  it("canonicalises names lightly", () => {
    expect(["./a/b/", "/a", "././//a", "./", ".", "a/./b"].map(memberName)).toEqual(["a/b", "a", "a", "", "", "a/./b"]);
  });

  it("rejects a non-tar, a truncated tar, a bad checksum, and caps members", async () => {
    const notTar = join(dir, "not.tar");
    await writeFile(notTar, Buffer.alloc(4096, 0x42));
    expect(await errorOf(indexTarFile(notTar))).toMatchObject({ code: "ARCHIVE_INVALID", message: `${notTar}: not a tar archive` });
    const tiny = join(dir, "tiny.tar");
    await writeFile(tiny, "hello");
    expect(await errorOf(indexTarFile(tiny))).toMatchObject({ code: "ARCHIVE_INVALID", message: `${tiny}: not a tar archive` });

    const good = await pack([[{ name: "a" }, Buffer.alloc(5000, 1)], [{ name: "b" }, Buffer.alloc(10, 2)]]);
    const cut = join(dir, "cut.tar");
    await writeFile(cut, good.subarray(0, 3000));
    const e = await errorOf(indexTarFile(cut));
    expect(e.code).toBe("ARCHIVE_INVALID");
    expect(e.message).toMatch(/^.*cut\.tar: truncated tar: member "a" at offset 0 ends past the end of the file$/);

    const bad = Buffer.from(good);
    bad[5635] = bad[5635]! ^ 1; // second header's name
    const badPath = join(dir, "bad.tar");
    await writeFile(badPath, bad);
    expect(await errorOf(indexTarFile(badPath))).toMatchObject({ code: "ARCHIVE_INVALID", message: `${badPath}: tar header checksum mismatch at offset 5632` });

    const okPath = join(dir, "ok.tar");
    await writeFile(okPath, good);
    expect(await errorOf(indexTarFile(okPath, { maxMembers: 1 }))).toMatchObject({ code: "LIMIT_EXCEEDED" });
    expect(await errorOf(indexTarFile(join(dir, "missing.tar")))).toMatchObject({ code: "NOT_FOUND" });
  });
});
