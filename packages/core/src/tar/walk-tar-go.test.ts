// walkTar follows Go's archive/tar Reader.next()
// (https://github.com/golang/go/blob/master/src/archive/tar/reader.go):
// exact outcomes for each rule, on streams built byte by byte.
import { describe, expect, it } from "vitest";
import { base256, END_OF_ARCHIVE as END, padBlock, paxRecords, rawBlock, rawEntry, type Bytes, type RawBlock } from "../../../../fixtures/lib/ustar-raw.js";
import { encodeName } from "./names.js";
import type { TarHeader } from "./tar-header.js";
import { walkTar } from "./walk-tar.js";

const x = (...r: [Bytes, Bytes][]): Buffer => rawEntry({ name: "PaxHeaders/x", typeflag: "x" }, paxRecords(...r));
const g = (...r: [Bytes, Bytes][]): Buffer => rawEntry({ name: "pax_global_header", typeflag: "g" }, paxRecords(...r));
const longName = (flag: "L" | "K", name: Bytes): Buffer => rawEntry({ name: "././@LongLink", typeflag: flag, format: "gnu" }, Buffer.concat([Buffer.from(name), Buffer.alloc(1)]));
const file = (name: Bytes, data: Bytes = "data", h: RawBlock = {}): Buffer => rawEntry({ name, ...h }, data);

interface Walked { headers: TarHeader[]; contents: Map<string, string> }

async function walk(...parts: Buffer[]): Promise<Walked> {
  const headers: TarHeader[] = [];
  const contents = new Map<string, string>();
  const stream = Buffer.concat(parts);
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < stream.length; i += 700) yield stream.subarray(i, i + 700);
  }
  await walkTar(chunks(), {
    entry(h) { headers.push(h); return 100; },
    content(h, b) { contents.set(h.name, Buffer.from(b).toString("latin1")); },
  });
  return { headers, contents };
}

async function errorOf(...parts: Buffer[]): Promise<{ code: string; message: string }> {
  try {
    await walk(...parts);
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error("expected walkTar to throw");
}

const rows = (w: Walked): unknown[][] => w.headers.map((h) => [h.type, h.name, h.size]);

describe("PAX global headers and pending meta state", () => {
  it("returns `g` as a pax-global entry with its path and xattrs, and never applies it", async () => {
    const w = await walk(g(["path", "evil"], ["uid", "0"], ["SCHILY.xattr.user.g", "v"]), file("a", "x", { uid: 7 }), END);
    expect(rows(w)).toEqual([["pax-global", "evil", 0], ["file", "a", 1]]);
    expect([w.headers[0]!.typeflag, Buffer.from(w.headers[0]!.xattrs["user.g"]!).toString(), w.headers[1]!.uid]).toEqual([0x67, "v", 7]);
    expect(w.contents.has("evil")).toBe(false);
  });
  it("drops a pending x, L or K when a g comes between it and its entry", async () => {
    expect(rows(await walk(x(["path", "renamed"], ["uid", "5"]), g(), file("a"), END))).toEqual([["pax-global", "pax_global_header", 0], ["file", "a", 4]]);
    expect(rows(await walk(longName("L", "long/name"), g(), file("a"), END))[1]).toEqual(["file", "a", 4]);
    expect((await walk(longName("K", "long/link"), g(), rawBlock({ name: "s", typeflag: "2", linkname: "t" }), END)).headers[1]!.linkname).toBe("t");
  });
  it("lets the last of two x headers win wholesale: nothing is merged", async () => {
    const w = await walk(x(["path", "first"], ["uid", "5"]), x(["uname", "u"]), file("a"), END);
    expect(w.headers.map((h) => [h.name, h.uid, h.uname])).toEqual([["a", 0, "u"]]);
  });
  it("never looks at the values of a dropped x header; fails on those of an applied one", async () => {
    expect((await walk(x(["uid", "bad"]), x(["gid", "3"]), file("a"), END)).headers[0]!.gid).toBe(3);
    expect(await errorOf(x(["uid", "bad"]), file("a"), END)).toMatchObject({ code: "TAR_INVALID", message: "invalid pax record: uid is not a decimal integer" });
  });
  it("applies PAX records, then GNU long name/link; empty values keep the ustar fields", async () => {
    const w = await walk(longName("L", "from-L"), x(["path", "from-x"], ["linkpath", "lx"], ["uid", ""]), file("a", "d", { uid: 9 }), END);
    expect(w.headers.map((h) => [h.name, h.linkname, h.uid])).toEqual([["from-L", "lx", 9]]);
    expect((await walk(longName("L", "first"), longName("L", ""), file("a"), END)).headers[0]!.name).toBe("a");
  });
  it("refuses a g whose path Go would apply or not at random (a path next to an invalid value)", async () => {
    expect(await errorOf(g(["path", "p"], ["mtime", "x"]), END)).toMatchObject({ code: "TAR_INVALID", message: "tar pax global header at offset 0 has a path and an invalid value: Go applies the path or not at random" });
    expect(rows(await walk(g(["mtime", "x"]), END))).toEqual([["pax-global", "pax_global_header", 0]]);
  });
});

describe("trailing slashes and data", () => {
  it("reads '0' with a trailing slash as a file with data, keeping the stream in sync", async () => {
    const w = await walk(file("d/", "12345"), file("next"), END);
    expect(rows(w)).toEqual([["file", "d/", 5], ["file", "next", 4]]);
    expect(w.contents.get("d/")).toBe("12345");
  });
  it("reads NUL with a trailing slash (its final name) as a directory with no data", async () => {
    expect(rows(await walk(rawBlock({ name: "d/", typeflag: 0, size: 5 }), file("next"), END))).toEqual([["dir", "d/", 0], ["file", "next", 4]]);
    expect(rows(await walk(x(["path", "pd/"]), rawBlock({ name: "f", typeflag: 0 }), END))).toEqual([["dir", "pd/", 0]]);
    expect(rows(await walk(file("f", "abc", { typeflag: 0 }), END))).toEqual([["file", "f", 3]]);
  });
  it("takes the data size from PAX after merging; header-only types ignore it, even negative", async () => {
    expect(rows(await walk(x(["size", "3"]), rawBlock({ name: "a", size: 700 }), padBlock(Buffer.from("abc")), file("n"), END))).toEqual([["file", "a", 3], ["file", "n", 4]]);
    expect(rows(await walk(x(["size", "-5"]), rawBlock({ name: "s", typeflag: "2", linkname: "t" }), file("n"), END))).toEqual([["symlink", "s", 0], ["file", "n", 4]]);
    expect(await errorOf(x(["size", "-5"]), file("a", ""), END)).toMatchObject({ code: "TAR_INVALID", message: "tar header size is negative at offset 1024" });
  });
  it("checks a negative header size before PAX, as Go's first handleRegularFile does", async () => {
    expect(await errorOf(x(["size", "5"]), rawBlock({ name: "a", size: base256(-1n, 12) }), END)).toMatchObject({ message: "tar header size is negative at offset 1024" });
  });
});

describe("unknown typeflags", () => {
  it("reports them as unknown with their data, and stays in sync", async () => {
    const w = await walk(file("vol", "0123456789", { typeflag: "V" }), file("dd", "Yfile\0\0", { typeflag: "D" }), file("next"), END);
    expect(w.headers.map((h) => [h.type, h.typeflag, h.name, h.size])).toEqual([["unknown", 0x56, "vol", 10], ["unknown", 0x44, "dd", 7], ["file", 0x30, "next", 4]]);
  });
});

describe("names are bytes", () => {
  it("keeps \\xff and \\xfe names distinct, from ustar, PAX and GNU long names, and round-trips them", async () => {
    const ff = Buffer.from([0x61, 0xff]);
    const fe = Buffer.from([0x61, 0xfe]);
    const w = await walk(file(ff), file(fe), x(["path", Buffer.from([0x62, 0xff])], ["linkpath", Buffer.from([0xc0, 0xaf])]), rawBlock({ name: "l", typeflag: "2" }), longName("L", Buffer.from([0x63, 0xfe])), file("c"), END);
    const names = w.headers.map((h) => h.name);
    expect(new Set(names).size).toBe(4);
    expect(names.map((n) => Buffer.from(encodeName(n)).toString("hex"))).toEqual(["61ff", "61fe", "62ff", "63fe"]);
    expect(Buffer.from(encodeName(w.headers[2]!.linkname)).toString("hex")).toBe("c0af");
  });
});

describe("PATH_MAX", () => {
  it("refuses a name or link name over 4095 bytes with a one-line LIMIT_EXCEEDED naming the offset", async () => {
    expect(await errorOf(x(["path", "p".repeat(4096)]), file("a"), END)).toMatchObject({
      code: "LIMIT_EXCEEDED", message: "tar entry name at offset 5120 is 4096 bytes, over the 4096-byte PATH_MAX (with its NUL) of Linux",
    });
    expect(await errorOf(longName("K", "k".repeat(5000)), rawBlock({ name: "l", typeflag: "2" }), END)).toMatchObject({
      code: "LIMIT_EXCEEDED", message: "tar entry link name at offset 5632 is 5000 bytes, over the 4096-byte PATH_MAX (with its NUL) of Linux",
    });
    expect((await walk(x(["path", "p".repeat(4095)]), file("a"), END)).headers[0]!.name.length).toBe(4095);
  });
  it("checks only the name Go uses: a long PAX path replaced by a GNU long name is fine", async () => {
    expect((await walk(longName("L", "short"), x(["path", "p".repeat(5000)]), file("a"), END)).headers[0]!.name).toBe("short");
  });
  it("retains no PAX payload: entries keep decoded names and copied xattr values only", async () => {
    const big = x(["comment", "c".repeat((1 << 20) - 5000)], ["path", "p".repeat(4000)], ["SCHILY.xattr.user.a", "v"]);
    const parts: Buffer[] = [];
    for (let i = 0; i < 40; i++) parts.push(big, rawBlock({ name: `f${i}` }));
    const w = await walk(...parts, END);
    expect(w.headers.length).toBe(40);
    // Each kept xattr value is its own small buffer, not a view of its 1 MiB payload.
    expect(w.headers.every((h) => h.xattrs["user.a"]!.buffer.byteLength === 1)).toBe(true);
  });
});

describe("end of archive and truncation", () => {
  it("ends at two zero blocks (the rest is drained), at one zero block and EOF, or at EOF between entries", async () => {
    expect(rows(await walk(file("a"), END, Buffer.from("garbage")))).toEqual([["file", "a", 4]]);
    expect(rows(await walk(file("a"), Buffer.alloc(512)))).toEqual([["file", "a", 4]]);
    expect(rows(await walk(file("a")))).toEqual([["file", "a", 4]]);
  });
  it("fails on a header after one zero block, and on truncation", async () => {
    expect((await errorOf(file("a"), Buffer.alloc(512), file("b"), END)).message).toBe("tar header after a lone zero block at offset 1536");
    expect((await errorOf(file("a"), Buffer.alloc(512), Buffer.alloc(100))).message).toBe("truncated tar: partial header block at offset 1536");
    expect((await errorOf(rawBlock({ name: "a", size: 2000 }), Buffer.alloc(1000))).message).toBe('truncated tar: entry "a" needs 2560 bytes, stream has 1512 at offset 0');
  });
  // Next drops a pending x/L/K header at io.EOF, and reads an entry's padding
  // with tryReadFull, which makes a short read io.EOF too.
  it("ends quietly where Go's Next returns io.EOF: a meta header with no entry, a cut-off padding", async () => {
    expect(rows(await walk(file("a"), x(["path", "p"]), END))).toEqual([["file", "a", 4]]);
    expect(rows(await walk(file("a"), x(["path", "p"]), Buffer.alloc(512)))).toEqual([["file", "a", 4]]);
    expect(rows(await walk(file("a"), longName("L", "n")))).toEqual([["file", "a", 4]]);
    expect(rows(await walk(file("a"), longName("K", "n").subarray(0, 514)))).toEqual([["file", "a", 4]]);
    expect(rows(await walk(rawBlock({ name: "a", size: 2 }), Buffer.from("ab")))).toEqual([["file", "a", 2]]);
    expect(rows(await walk(rawBlock({ name: "a", size: 2 }), Buffer.from("ab"), Buffer.alloc(100)))).toEqual([["file", "a", 2]]);
  });
  it("still fails on data cut off by the end, a meta header's included (io.ErrUnexpectedEOF)", async () => {
    expect((await errorOf(rawBlock({ name: "a", size: 2 }), Buffer.from("a"))).message).toBe('truncated tar: entry "a" needs 1024 bytes, stream has 513 at offset 0');
    expect((await errorOf(longName("L", "name").subarray(0, 514))).message).toBe('truncated tar: entry "././@LongLink" needs 1024 bytes, stream has 514 at offset 0');
  });
  it("fails on meta payloads over 1 MiB, as Go's readSpecialFile does", async () => {
    expect(await errorOf(x(["comment", "c".repeat(1 << 20)]), file("a"), END)).toMatchObject({ code: "LIMIT_EXCEEDED", message: "tar pax header at offset 0 is 1048593 bytes, over the 1048576-byte limit for meta records" });
  });
});
