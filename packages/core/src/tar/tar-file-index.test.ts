import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tar from "tar-stream";
import { END_OF_ARCHIVE as END, paxRecords, rawBlock, rawEntry, type Bytes } from "../../../../fixtures/lib/ustar-raw.js";
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

  // Go's Reader.Next: a pending x/L/K header at the end is dropped with the
  // io.EOF, and a short read of the padding is io.EOF too (tryReadFull).
  it("ends where Go ends: a meta header with no member after it, a last member whose padding is cut off", async () => {
    const x = rawEntry({ name: "PaxHeaders/x", typeflag: "x" }, paxRecords(["path", "renamed"]));
    const member = rawEntry({ name: "a" }, "abc");
    for (const [name, bytes] of [
      ["meta-then-end.tar", Buffer.concat([member, x, END])],
      ["meta-then-eof.tar", Buffer.concat([member, x])],
      ["meta-padding-cut.tar", Buffer.concat([member, x.subarray(0, x.length - 1)])],
      ["member-padding-cut.tar", member.subarray(0, 512 + 3)],
    ] as const) {
      const path = join(dir, name);
      await writeFile(path, bytes);
      const idx = await indexTarFile(path);
      expect([...idx.keys()], name).toEqual(["a"]);
      expect(await readAt(path, idx.get("a")!.offset, 3)).toEqual(Buffer.from("abc"));
    }
    const dataCut = join(dir, "member-data-cut.tar");
    await writeFile(dataCut, member.subarray(0, 512 + 2));
    expect((await errorOf(indexTarFile(dataCut))).message).toMatch(/truncated tar: member "a" at offset 0 ends past the end of the file$/);
  });

  it("reads headers as Go does (docker load and ctr import use Go's archive/tar)", async () => {
    const x = (...r: [Bytes, Bytes][]): Buffer => rawEntry({ name: "PaxHeaders/x", typeflag: "x" }, paxRecords(...r));
    const g = rawEntry({ name: "manifest.json", typeflag: "g" }, paxRecords(["path", "index.json"]));
    const path = join(dir, "go-rules.tar");
    await writeFile(path, Buffer.concat([
      rawEntry({ name: "manifest.json" }, "[]"),
      g, // a global header is no member and renames nothing
      x(["path", "first"]), x(["uid", "1"]), rawEntry({ name: "index.json" }, "{}"), // the last x wins wholesale
      rawEntry({ name: "blob/" }, "data"), // '0' with a trailing slash: a file with data
      rawBlock({ name: "dir/", typeflag: 0, size: 4 }), // NUL with one: a directory, no data
      rawEntry({ name: "after" }, "ok"),
      END,
    ]));
    const idx = await indexTarFile(path);
    expect([...idx.values()].map((m) => [m.name, m.type, m.size])).toEqual([
      ["manifest.json", "file", 2], ["index.json", "file", 2], ["blob", "file", 4], ["dir", "dir", 0], ["after", "file", 2],
    ]);
    expect(await readAt(path, idx.get("after")!.offset, 2)).toEqual(Buffer.from("ok"));
  });

  it("ends at a second zero block or at EOF after one; anything else after a zero block fails", async () => {
    const one = join(dir, "one-zero.tar");
    await writeFile(one, Buffer.concat([rawEntry({ name: "a" }, "1"), Buffer.alloc(512)]));
    expect([...(await indexTarFile(one)).keys()]).toEqual(["a"]);
    const lone = join(dir, "lone-zero.tar");
    await writeFile(lone, Buffer.concat([rawEntry({ name: "a" }, "1"), Buffer.alloc(512), rawEntry({ name: "b" }, "2"), END]));
    expect(await errorOf(indexTarFile(lone))).toMatchObject({ code: "ARCHIVE_INVALID", message: `${lone}: tar header after a lone zero block at offset 1536` });
  });

  it("refuses sparse members, whose stored bytes are not their content", async () => {
    const path = join(dir, "sparse.tar");
    const records = paxRecords(["GNU.sparse.major", "0"], ["GNU.sparse.minor", "1"], ["GNU.sparse.size", "10"], ["GNU.sparse.numblocks", "1"], ["GNU.sparse.map", "0,2"]);
    await writeFile(path, Buffer.concat([rawEntry({ name: "x", typeflag: "x" }, records), rawEntry({ name: "manifest.json" }, "[]"), END]));
    expect(await errorOf(indexTarFile(path))).toMatchObject({
      code: "ARCHIVE_INVALID", message: `${path}: member "manifest.json" at offset 1024 is a sparse file, whose stored bytes are not its content`,
    });
  });
});
