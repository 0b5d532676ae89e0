import { describe, it, expect } from "vitest";
import tar from "tar-stream";
import { walkTar, type TarLimits } from "./walk-tar.js";
import type { TarHeader } from "./tar-header.js";

// ---- helpers -------------------------------------------------------------

async function* chunked(buf: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, Math.min(i + size, buf.length));
}

interface Seen { headers: TarHeader[]; contents: Map<number, Buffer>; entries: number; bytes: number }

async function walk(buf: Uint8Array, chunk = 65536, want: (h: TarHeader) => number = () => Infinity, limits?: TarLimits): Promise<Seen> {
  const headers: TarHeader[] = [];
  const contents = new Map<number, Buffer>();
  const r = await walkTar(chunked(buf, chunk), {
    entry(h) { headers.push(h); return want(h); },
    content(h, b) { contents.set(headers.indexOf(h), Buffer.from(b)); },
  }, limits);
  return { headers, contents, ...r };
}

async function walkError(buf: Uint8Array, limits?: TarLimits): Promise<{ code: string; message: string }> {
  try {
    await walk(buf, 65536, () => 0, limits);
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error("expected walkTar to throw");
}

async function pack(entries: Array<[tar.Header | (Partial<tar.Header> & { name: string }), (string | Buffer)?]>): Promise<Buffer> {
  const p = tar.pack();
  for (const [h, body] of entries) body === undefined ? p.entry(h) : p.entry(h, body);
  p.finalize();
  const out: Buffer[] = [];
  for await (const c of p) out.push(c as Buffer);
  return Buffer.concat(out);
}

interface Oracle { header: tar.Header; content: Buffer }
async function oracle(buf: Buffer): Promise<Oracle[]> {
  const ex = tar.extract();
  const out: Oracle[] = [];
  const done = (async () => {
    for await (const e of ex) {
      const parts: Buffer[] = [];
      for await (const c of e) parts.push(c as Buffer);
      out.push({ header: e.header, content: Buffer.concat(parts) });
    }
  })();
  ex.end(buf);
  await done;
  return out;
}

const TYPE: Record<string, string> = {
  file: "file", link: "hardlink", symlink: "symlink", directory: "dir", "character-device": "char",
  "block-device": "block", fifo: "fifo", "contiguous-file": "contiguous",
};

/** Raw header block for cases tar-stream cannot write. `patch` runs before the checksum. */
function hdr(o: { name?: string; flag?: string; size?: number; mode?: number; uid?: number; linkname?: string; format?: "ustar" | "gnu" | "v7" }, patch?: (b: Buffer) => void): Buffer {
  const b = Buffer.alloc(512);
  const oct = (off: number, len: number, v: number): void => { b.write(`${v.toString(8).padStart(len - 1, "0")}\0`, off, "latin1"); };
  b.write(o.name ?? "f", 0);
  oct(100, 8, o.mode ?? 0o644);
  oct(108, 8, o.uid ?? 0);
  oct(116, 8, 0);
  oct(124, 12, o.size ?? 0);
  oct(136, 12, 1_700_000_000);
  b.write(o.flag ?? "0", 156, "latin1");
  if (o.linkname) b.write(o.linkname, 157);
  if (o.format === "gnu") b.write("ustar  \0", 257, "latin1");
  else if (o.format !== "v7") b.write("ustar\x0000", 257, "latin1");
  patch?.(b);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return b;
}
/** Content padded to whole blocks. */
function body(data: string | Uint8Array): Buffer {
  const d = Buffer.from(data);
  return Buffer.concat([d, Buffer.alloc((512 - (d.length % 512)) % 512)]);
}
function rec(key: string, value: string | Uint8Array): Buffer {
  const b = Buffer.concat([Buffer.from(` ${key}=`), Buffer.from(value), Buffer.from("\n")]);
  let len = b.length + 1;
  while (String(len).length + b.length !== len) len++;
  return Buffer.concat([Buffer.from(String(len)), b]);
}
function meta(flag: string, payload: Buffer): Buffer {
  return Buffer.concat([hdr({ name: "././@Meta", flag, size: payload.length }), body(payload)]);
}
const END = Buffer.alloc(1024);

// 01 00 00 02 = VFS_CAP_REVISION_2; c0 = cap_setgid | cap_setuid in the permitted set.
const CAP = Uint8Array.from([0x01, 0, 0, 0x02, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

// ---- differential against tar-stream --------------------------------------

function rng(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

async function differential(entries: Parameters<typeof pack>[0]): Promise<void> {
  const buf = await pack(entries);
  const [ours, theirs] = await Promise.all([walk(buf), oracle(buf)]);
  expect(ours.entries).toBe(theirs.length);
  expect(ours.bytes).toBe(buf.length);
  theirs.forEach(({ header: t, content }, i) => {
    const h = ours.headers[i]!;
    const pax = (t.pax ?? {}) as Record<string, string>;
    expect({ name: h.name, type: h.type, mode: h.mode, uid: h.uid, gid: h.gid, size: h.size, linkname: h.linkname, uname: h.uname, gname: h.gname, devmajor: h.devmajor, devminor: h.devminor, mtime: h.mtime }).toEqual({
      name: t.name, type: TYPE[t.type], mode: t.mode & 0o7777,
      uid: pax.uid ? Number(pax.uid) : t.uid, gid: pax.gid ? Number(pax.gid) : t.gid, // tar-stream leaves PAX ids in header.pax
      size: t.size, linkname: t.linkname ?? "", uname: t.uname, gname: t.gname,
      devmajor: t.devmajor, devminor: t.devminor, mtime: t.mtime.getTime() / 1000,
    });
    if (h.size > 0) expect(ours.contents.get(i)).toEqual(content);
  });
}

describe("walkTar vs tar-stream 3.2.2", () => {
  const mtime = new Date(1_700_000_000_000);
  it("agrees on every entry kind and on content", async () => {
    const bin = Buffer.from(Array.from({ length: 1500 }, (_, i) => (i * 37) & 0xff));
    await differential([
      [{ name: "etc", type: "directory", mode: 0o755, mtime }],
      [{ name: "etc/passwd", mode: 0o644, uname: "root", gname: "root", mtime }, "root:x:0:0:root:/root:/bin/sh\n"],
      [{ name: "empty", mtime }, ""],
      [{ name: "bin/blob", mtime }, bin],
      [{ name: "bin/exact", mtime }, Buffer.alloc(512, 7)],
      [{ name: "bin/two", mtime }, Buffer.alloc(1024, 9)],
      [{ name: "bin/sh", type: "symlink", linkname: "/bin/bash", mtime }],
      [{ name: "usr/bin/hard", type: "link", linkname: "etc/passwd", mtime }],
      [{ name: "dev/null", type: "character-device", devmajor: 1, devminor: 3, mode: 0o666, mtime }],
      [{ name: "dev/sda", type: "block-device", devmajor: 8, devminor: 0, mode: 0o660, mtime }],
      [{ name: "run/fifo", type: "fifo", mtime }],
      [{ name: "contig", type: "contiguous-file", mtime }, "c"],
      [{ name: "x".repeat(150), mtime }, "pax long name"], // no "/": PAX path
      [{ name: `${"p/".repeat(60)}${"n".repeat(90)}`, mtime }, "prefix name"], // ustar prefix
      [{ name: "données/café.txt", mtime }, "utf8 via PAX"],
      [{ name: "link-long", type: "symlink", linkname: "t/".repeat(80), mtime }],
      [{ name: "bigid", uid: 0, gid: 0, pax: { uid: "3000000", gid: "3000001" }, mtime }, "ids"],
      [{ name: "usr/bin/passwd", mode: 0o4755, mtime }, "setuid"],
      [{ name: "usr/bin/wall", mode: 0o2755, mtime }, "setgid"],
      [{ name: "tmp", type: "directory", mode: 0o1777, mtime }],
    ]);
  });

  it("agrees on 400 random entries", async () => {
    const r = rng(42);
    const types = ["file", "file", "file", "directory", "symlink", "link", "fifo"] as const;
    const entries: Parameters<typeof pack>[0] = [];
    for (let i = 0; i < 400; i++) {
      const type = types[Math.floor(r() * types.length)]!;
      const depth = Math.floor(r() * 12);
      const name = `${Array.from({ length: depth }, (_, d) => `dir${d}${"z".repeat(Math.floor(r() * 20))}`).join("/")}/e${i}`;
      const h = { name, type, mode: Math.floor(r() * 0o10000), uid: Math.floor(r() * 70000), gid: Math.floor(r() * 70000), mtime };
      if (type === "file") entries.push([h, Buffer.alloc(Math.floor(r() * 3000), i & 0xff)]);
      else if (type === "symlink" || type === "link") entries.push([{ ...h, linkname: `target/${i}` }]);
      else entries.push([h]);
    }
    await differential(entries);
  });
});

// ---- hand-built archives --------------------------------------------------

describe("walkTar details", () => {
  it("keeps a binary security.capability xattr byte-exact (tar-stream corrupts it)", async () => {
    const buf = Buffer.concat([meta("x", rec("SCHILY.xattr.security.capability", CAP)), hdr({ name: "usr/bin/ping", size: 4 }), body("ping"), END]);
    const { headers } = await walk(buf);
    expect(Buffer.from(headers[0]!.xattrs["security.capability"]!).toString("hex")).toBe(Buffer.from(CAP).toString("hex"));
    // Documentation: tar-stream decodes PAX values as UTF-8, turning 0xc0 into U+FFFD.
    const [t] = await oracle(buf);
    const broken = Buffer.from((t!.header.pax as Record<string, string>)["SCHILY.xattr.security.capability"]!, "utf8");
    expect(broken.toString("hex")).toContain("efbfbd");
    expect(broken.equals(Buffer.from(CAP))).toBe(false);
  });

  it("applies GNU long name (L) and long link (K)", async () => {
    const name = `${"deep/".repeat(40)}file`;
    const link = `${"t/".repeat(70)}target`;
    const buf = Buffer.concat([meta("L", Buffer.from(`${name}\0`)), meta("K", Buffer.from(`${link}\0`)), hdr({ name: "././@LongLink", flag: "2", format: "gnu" }), END]);
    const { headers } = await walk(buf);
    expect(headers.map((h) => [h.name, h.linkname, h.type])).toEqual([[name, link, "symlink"]]);
  });

  it("reads base-256 uid/gid and size", async () => {
    const buf = Buffer.concat([
      hdr({ name: "big", format: "gnu" }, (b) => {
        b.fill(0, 108, 124);
        b[108] = 0x80;
        b.writeUIntBE(3_000_000, 110, 6);
        b[116] = 0x80;
        b.writeUIntBE(4_000_000, 118, 6);
        b.fill(0, 124, 136);
        b[124] = 0x80;
        b.writeUIntBE(5, 130, 6);
      }),
      body("12345"),
      END,
    ]);
    const { headers, contents } = await walk(buf);
    expect([headers[0]!.uid, headers[0]!.gid, headers[0]!.size]).toEqual([3_000_000, 4_000_000, 5]);
    expect(contents.get(0)!.toString()).toBe("12345");
  });

  it("reports a global PAX header as a pax-global entry and applies it to nothing (Go's Reader.Next)", async () => {
    const buf = Buffer.concat([
      meta("g", Buffer.concat([rec("uid", "1234"), rec("uname", "global"), rec("path", "gpath")])),
      hdr({ name: "a" }),
      meta("x", Buffer.concat([rec("uid", "5"), rec("path", "renamed")])),
      hdr({ name: "b" }),
      hdr({ name: "c" }),
      END,
    ]);
    const { headers, entries } = await walk(buf);
    expect(headers.map((h) => [h.type, h.name, h.uid, h.uname, h.size])).toEqual([
      ["pax-global", "gpath", 0, "", 0], ["file", "a", 0, "", 0], ["file", "renamed", 5, "", 0], ["file", "c", 0, "", 0],
    ]);
    expect(entries).toBe(4);
  });

  it("reads a PAX 1.0 sparse entry: GNU.sparse.name and realsize, the map read from its data, no content handed over", async () => {
    const map = Buffer.concat([Buffer.from("1\n0\n3\n"), Buffer.alloc(512 - 6)]);
    const buf = Buffer.concat([
      meta("x", Buffer.concat([rec("GNU.sparse.major", "1"), rec("GNU.sparse.minor", "0"), rec("GNU.sparse.name", "var/sparse"), rec("GNU.sparse.realsize", "99999")])),
      hdr({ name: "GNUSparseFile.0/sparse", size: 515 }),
      body(Buffer.concat([map, Buffer.from("abc")])),
      hdr({ name: "after", size: 2 }),
      body("ok"),
      END,
    ]);
    const { headers, contents } = await walk(buf);
    expect(headers.map((h) => [h.name, h.type, h.sparse, h.size])).toEqual([["var/sparse", "file", true, 99999], ["after", "file", false, 2]]);
    expect([...contents.keys()]).toEqual([1]);
  });

  it("skips old-GNU sparse extension blocks and stays in sync; reports the real size, not the stored bytes", async () => {
    const data = Buffer.alloc(1536, 0x53);
    const buf = Buffer.concat([
      hdr({ name: "sparse", flag: "S", size: data.length, format: "gnu" }, (b) => {
        for (let i = 0; i < 4; i++) {
          b.write(`${(i * 8192).toString(8).padStart(11, "0")}\0`, 386 + i * 24, "latin1");
          b.write(`${(256).toString(8).padStart(11, "0")}\0`, 386 + i * 24 + 12, "latin1");
        }
        b[482] = 1; // isextended
        b.write(`${(65536).toString(8).padStart(11, "0")}\0`, 483, "latin1"); // realsize
      }),
      (() => { const e = Buffer.alloc(512); e.write("00000100000\x0000000001000\x00", 0, "latin1"); e[504] = 1; return e; })(),
      (() => { const e = Buffer.alloc(512); e.write("00000200000\x0000000000000\x00", 0, "latin1"); return e; })(),
      data,
      hdr({ name: "after", size: 2 }),
      body("ok"),
      END,
    ]);
    const { headers, contents } = await walk(buf);
    expect(headers.map((h) => [h.name, h.type, h.size, h.sparse])).toEqual([["sparse", "gnu-sparse", 65536, true], ["after", "file", 2, false]]);
    expect(contents.get(0)).toBeUndefined();
    expect(contents.get(1)!.toString()).toBe("ok");
  });

  it("gives identical results in 1, 7, 511, 64 KiB chunks and whole", async () => {
    const packed = await pack([
      [{ name: "a", mtime: new Date(0) }, Buffer.alloc(700, 1)],
      [{ name: "n".repeat(130), mtime: new Date(0) }, "long"],
      [{ name: "d", type: "directory", mtime: new Date(0) }],
    ]);
    const buf = Buffer.concat([
      packed.subarray(0, packed.length - 1024),
      meta("g", rec("gname", "gg")),
      meta("x", rec("SCHILY.xattr.security.capability", CAP)),
      meta("L", Buffer.from(`${"L".repeat(300)}\0`)),
      hdr({ name: "x", size: 1000 }),
      body(Buffer.alloc(1000, 0xee)),
      END,
      Buffer.from("trailing garbage"),
    ]);
    const show = (s: Seen): string => JSON.stringify({
      h: s.headers.map((h) => ({ ...h, xattrs: Object.fromEntries(Object.entries(h.xattrs).map(([k, v]) => [k, Buffer.from(v).toString("hex")])) })),
      c: [...s.contents].map(([k, v]) => [k, v.toString("hex")]),
      n: s.entries,
      b: s.bytes,
    });
    const want = (h: TarHeader): number => (h.name === "a" ? 600 : 10);
    const whole = show(await walk(buf, buf.length, want));
    for (const size of [1, 7, 511, 64 * 1024]) expect(show(await walk(buf, size, want))).toBe(whole);
    expect(JSON.parse(whole).n).toBe(5); // the g header is an entry
    expect((JSON.parse(whole).h as TarHeader[]).map((h) => h.type)).toEqual(["file", "file", "dir", "pax-global", "file"]);
  });

  it("captures only the requested prefix and calls content for empty files", async () => {
    const buf = Buffer.concat([hdr({ name: "f", size: 5 }), body("hello"), hdr({ name: "e" }), END]);
    const { contents } = await walk(buf, 3, () => 3);
    expect(contents.get(0)!.toString()).toBe("hel");
    expect(contents.get(1)!.length).toBe(0);
  });

  it("reads trailing bytes after the end blocks and counts them", async () => {
    const buf = Buffer.concat([hdr({ name: "f", size: 1 }), body("x"), END, Buffer.alloc(5000, 0x41)]);
    const r = await walk(buf, 100);
    expect([r.entries, r.bytes]).toEqual([1, buf.length]);
  });

  it("accepts an empty stream, missing end blocks, one end block, and v7 headers", async () => {
    expect((await walk(new Uint8Array(0))).entries).toBe(0);
    const noEnd = Buffer.concat([hdr({ name: "f", size: 1 }), body("x")]);
    expect((await walk(noEnd)).entries).toBe(1);
    expect((await walk(Buffer.concat([noEnd, Buffer.alloc(512)]))).entries).toBe(1);
    const v7 = await walk(Buffer.concat([hdr({ name: "old/", flag: "\0", format: "v7" }), hdr({ name: "old/f", flag: "\0", format: "v7", size: 2 }), body("v7"), END]));
    expect(v7.headers.map((h) => [h.name, h.type])).toEqual([["old/", "dir"], ["old/f", "file"]]);
  });

  it("gives header-only types no content, as Go's archive/tar does", async () => {
    const buf = Buffer.concat([hdr({ name: "h", flag: "1", linkname: "f", size: 512 }), hdr({ name: "next" }), END]);
    const { headers } = await walk(buf);
    expect(headers.map((h) => [h.name, h.size])).toEqual([["h", 0], ["next", 0]]);
  });

  it.each([
    ["a truncated header", () => Buffer.concat([hdr({ name: "f", size: 1 }), body("x"), hdr({ name: "g" }).subarray(0, 100)]), /^truncated tar: partial header block at offset 1024$/],
    ["truncated content", () => Buffer.concat([hdr({ name: "f", size: 2000 }), Buffer.alloc(1000)]), /^truncated tar: entry "f" needs 2560 bytes, stream has 1512 at offset 0$/],
    ["missing data", () => Buffer.concat([hdr({ name: "f", size: 2 }), Buffer.from("a")]), /^truncated tar/],
    ["a bad checksum", () => { const b = Buffer.concat([hdr({ name: "f", size: 1 }), body("x"), hdr({ name: "g" }), END]); b[1025] = b[1025]! ^ 1; return b; }, /^tar header checksum mismatch at offset 1024$/],
    ["a PAX record with a lying length", () => Buffer.concat([meta("x", Buffer.from("99 path=x\n")), hdr({ name: "f" }), END]), /^invalid pax record: record at byte 0 runs past/],
    ["a header after a lone zero block", () => Buffer.concat([Buffer.alloc(512), hdr({ name: "f" })]), /after a lone zero block/],
    ["a missing sparse extension block", () => hdr({ name: "s", flag: "S", format: "gnu" }, (b) => { b[482] = 1; }), /missing GNU sparse extension/],
    ["a size over 2^53", () => hdr({ name: "f", format: "gnu" }, (b) => { b.fill(0xff, 124, 136); b[124] = 0x80; }), /size is not a valid number/],
  ])("throws TAR_INVALID on %s", async (_, make, re) => {
    const e = await walkError(make());
    expect(e.code).toBe("TAR_INVALID");
    expect(e.message).toMatch(re);
  });

  it("throws LIMIT_EXCEEDED on a meta record over maxMetaBytes", async () => {
    const buf = Buffer.concat([meta("x", rec("path", "p".repeat(2000))), hdr({ name: "f" }), END]);
    const e = await walkError(buf, { maxMetaBytes: 1000 });
    expect([e.code, e.message]).toEqual(["LIMIT_EXCEEDED", "tar pax header at offset 0 is 2011 bytes, over the 1000-byte limit for meta records"]);
    expect((await walk(buf)).headers[0]!.name).toBe("p".repeat(2000));
  });
});
