// Crafted tar streams, one or more per rule of Go's archive/tar that our
// reader must follow (https://github.com/golang/go/blob/master/src/archive/tar/reader.go,
// format.go, strconv.go). Used by the Go differential test; each stream is
// built byte by byte with rawBlock (checksums computed).
import { base256, END_OF_ARCHIVE, padBlock, paxRecords, rawBlock, rawEntry, type Bytes, type RawBlock } from "../../fixtures/lib/ustar-raw.js";

export interface Crafted {
  id: string;
  bytes: Buffer;
}

const END = END_OF_ARCHIVE;
const x = (...r: [Bytes, Bytes][]): Buffer => rawEntry({ name: "PaxHeaders/x", typeflag: "x" }, paxRecords(...r));
const g = (...r: [Bytes, Bytes][]): Buffer => rawEntry({ name: "pax_global_header", typeflag: "g" }, paxRecords(...r));
const L = (name: Bytes): Buffer => rawEntry({ name: "././@LongLink", typeflag: "L", format: "gnu" }, Buffer.concat([Buffer.from(name), Buffer.alloc(1)]));
const K = (name: Bytes): Buffer => rawEntry({ name: "././@LongLink", typeflag: "K", format: "gnu" }, Buffer.concat([Buffer.from(name), Buffer.alloc(1)]));
const file = (name: Bytes, data: Bytes = "data", h: RawBlock = {}): Buffer => rawEntry({ name, ...h }, data);
const tar = (...parts: Buffer[]): Buffer => Buffer.concat([...parts, END]);
const bytes = (...b: number[]): Buffer => Buffer.from(b);

/** Sparse 1.0 map as GNU tar writes it: count, then offset/length lines, padded to a block. */
function map1x0(pairs: [number, number][]): Buffer {
  return padBlock(Buffer.from(`${pairs.length}\n${pairs.map(([o, l]) => `${o}\n${l}\n`).join("")}`));
}

/** An old-GNU 'S' header: entries at 386, isextended at 482, realsize at 483. */
function oldSparse(name: string, stored: number, real: number, pairs: [number, number][], extended = false, format: RawBlock["format"] = "gnu"): Buffer {
  return rawBlock({
    name, typeflag: "S", size: stored, format,
    patch: (b) => {
      pairs.forEach(([o, l], i) => {
        b.write(`${o.toString(8).padStart(11, "0")}\0${l.toString(8).padStart(11, "0")}\0`, 386 + i * 24, "latin1");
      });
      b[482] = extended ? 1 : 0;
      b.write(`${real.toString(8).padStart(11, "0")}\0`, 483, "latin1");
    },
  });
}

export function craftedCases(): Crafted[] {
  const c: Crafted[] = [];
  const add = (id: string, b: Buffer): void => { c.push({ id, bytes: b }); };

  // 1-3: global headers, x last-wins, pending state dropped by g.
  add("g is an entry and never applies", tar(g(["path", "evil"], ["uid", "0"], ["SCHILY.xattr.user.g", "v"]), file("a")));
  add("g without path keeps its own name", tar(g(["comment", "hi"]), file("a", "x", { uid: 7 })));
  add("g with an invalid uid and no path", tar(g(["uid", "abc"]), file("a")));
  add("x then g drops the x", tar(x(["path", "renamed"], ["uid", "5"]), g(["comment", "c"]), file("a")));
  add("L then g drops the long name", tar(L("long/name"), g(), file("a")));
  add("K then g drops the long link", tar(K("long/link"), g(), rawBlock({ name: "s", typeflag: "2", linkname: "t" })));
  add("two x: the last wins wholesale", tar(x(["path", "first"], ["uid", "5"]), x(["uname", "u"]), file("a")));
  add("x with a bad uid dropped by a later x", tar(x(["uid", "bad"]), x(["gid", "3"]), file("a")));
  add("x with a bad uid dropped by g", tar(x(["uid", "bad"]), g(), file("a")));
  add("x with a bad uid applied", tar(x(["uid", "bad"]), file("a")));
  add("L and x both: L wins the name", tar(L("from-L"), x(["path", "from-x"], ["linkpath", "lx"]), file("a")));
  add("empty L is not applied", tar(L("first"), L(""), file("a")));
  add("empty PAX path keeps the ustar name", tar(x(["path", ""], ["uid", ""]), file("a", "d", { uid: 9 })));
  add("duplicate PAX keys: later wins", tar(x(["path", "one"], ["path", "two"]), file("a")));

  // 4: trailing slashes.
  add("'0' with a trailing slash is a file with data", tar(file("d/", "12345"), file("next")));
  add("NUL with a trailing slash is a dir without data", tar(rawBlock({ name: "d/", typeflag: 0, size: 5 }), file("next")));
  add("NUL named by PAX path with a slash is a dir", tar(x(["path", "pd/"]), rawBlock({ name: "f", typeflag: 0, size: 0 }), file("next")));
  add("NUL without a slash is a file with data", tar(file("f", "abc", { typeflag: 0 })));
  add("'5' with a size carries no data", tar(rawBlock({ name: "dir", typeflag: "5", size: 700 }), file("next")));
  add("PAX size on a symlink is ignored", tar(x(["size", "999999999999"]), rawBlock({ name: "s", typeflag: "2", linkname: "t" }), file("next")));
  add("negative PAX size on a symlink is ignored", tar(x(["size", "-5"]), rawBlock({ name: "s", typeflag: "2", linkname: "t" }), file("next")));
  add("negative PAX size on a file fails", tar(x(["size", "-5"]), file("a", "")));
  add("PAX size overrides the header size", tar(x(["size", "3"]), rawBlock({ name: "a", size: 700 }), padBlock(Buffer.from("abc")), file("next")));

  // 5: formats and prefixes.
  add("ustar prefix", tar(file("n", "d", { at345: "some/prefix" })));
  add("star prefix is 131 bytes", tar(file("n", "d", { format: "star", at345: `${"p".repeat(131)}` })));
  add("star with a bad atime fails", tar(file("n", "d", { format: "star", patch: (b) => b.write("zz", 476, "latin1") })));
  add("GNU with valid atime: no prefix", tar(file("n", "d", { format: "gnu", at345: "00000000001\0" })));
  add("GNU with a bad atime: ASCII prefix used", tar(file("n", "d", { format: "gnu", at345: "pre/fix" })));
  add("GNU with a bad atime: non-ASCII prefix ignored", tar(file("n", "d", { format: "gnu", at345: bytes(0x70, 0xc3, 0xa9) })));
  add("GNU with a bad ctime only", tar(file("n", "d", { format: "gnu", patch: (b) => b.write("x\0", 357, "latin1") })));
  add("GNU magic, wrong version: V7", tar(file("n", "d", { format: "gnu-v7", at345: "pre", uname: "u", devmajor: "zz" })));
  add("V7: uname, devices and prefix ignored", tar(file("n", "d", { format: "v7", patch: (b) => b.write("junk", 329, "latin1") })));
  add("signed checksum", tar(file(bytes(0xe9, 0x74, 0xe9), "d", { checksum: "signed" })));
  add("bad checksum", tar(file("a"), file("b", "d", { checksum: "bad" })));
  add("checksum with text after its NUL", tar((() => { const b = rawBlock({ name: "a" }); b[155] = 0x58; return b; })()));
  add("base-256 checksum fails", tar((() => { const b = rawBlock({ name: "a" }); b[148] = 0x80; return b; })()));

  // 6: numbers.
  add("octal with spaces", tar(file("a", "d", { mode: "  755 \0\0", uid: " 17 \0\0\0\0" })));
  add("octal cut at an inner NUL", tar(file("a", "d", { mode: "644\0 12\0" })));
  add("octal garbage in mode fails", tar(file("a", "d", { mode: "0000899\0" })));
  add("octal garbage in devmajor fails", tar(file("a", "d", { devmajor: "12z\0\0\0\0\0" })));
  add("base-256 uid 0x81 prefix", tar(file("a", "d", { uid: Buffer.concat([bytes(0x81), Buffer.alloc(3), bytes(0, 0, 0x03, 0xe8)]) })));
  add("base-256 negative uid", tar(file("a", "d", { uid: base256(-1n, 8), gid: base256(-2n, 8) })));
  add("base-256 uid 2^32", tar(file("a", "d", { uid: base256(1n << 32n, 8) })));
  add("base-256 size", tar(rawBlock({ name: "a", size: base256(5n, 12) }), padBlock(Buffer.from("12345")), file("b")));
  add("base-256 size overflow fails", tar(rawBlock({ name: "a", size: (() => { const b = Buffer.alloc(12, 0xff); b[0] = 0x80; return b; })() })));
  add("base-256 mode with setuid", tar(file("a", "d", { mode: base256(0o104755n, 8) })));
  add("negative size on a file fails", tar(rawBlock({ name: "a", size: base256(-1n, 12) })));
  add("negative size on a dir is fine", tar(rawBlock({ name: "d", typeflag: "5", size: base256(-1n, 12) }), file("n")));

  // 7: PAX records.
  add("PAX length with a plus sign and leading zeros", tar(rawEntry({ name: "x", typeflag: "x" }, "+0018 path=abcdef\n"), file("a")));
  add("PAX length under 5 fails", tar(rawEntry({ name: "x", typeflag: "x" }, "4 a=\n"), file("a")));
  add("PAX record without = fails", tar(rawEntry({ name: "x", typeflag: "x" }, "9 pathx\n\n"), file("a")));
  add("PAX empty key fails", tar(rawEntry({ name: "x", typeflag: "x" }, "8 =abcd\n"), file("a")));
  add("PAX NUL in a path value fails", tar(x(["path", "a\0b"]), file("a")));
  add("PAX NUL in a comment value is fine", tar(x(["comment", "a\0b"]), file("a")));
  add("PAX NUL in a key fails", tar(x(["co\0mment", "v"]), file("a")));
  add("PAX trailing NUL padding fails", tar(rawEntry({ name: "x", typeflag: "x" }, "12 path=abc\n\0\0\0"), file("a")));
  add("PAX signed ids", tar(x(["uid", "-1"], ["gid", "+42"]), file("a")));
  add("PAX uid over int64 fails", tar(x(["uid", "9223372036854775808"]), file("a")));
  add("PAX fractional and negative mtime", tar(x(["mtime", "-1.5"], ["atime", "12.000000000001"]), file("a")));
  add("PAX bad atime fails", tar(x(["atime", "1.2x"]), file("a")));
  add("PAX bad ctime fails", tar(x(["ctime", ".5"]), file("a")));
  add("PAX binary xattr, empty xattr skipped", tar(x(["SCHILY.xattr.security.capability", bytes(1, 0, 0, 2, 0xc0, 0, 0, 0)], ["SCHILY.xattr.user.empty", ""], ["SCHILY.xattr.", "nameless"]), file("a")));
  add("PAX xattr name with invalid UTF-8", tar(x([Buffer.concat([Buffer.from("SCHILY.xattr.user."), bytes(0xff)]), "v"]), file("a")));
  add("PAX uname and gname", tar(x(["uname", bytes(0xff, 0x41)], ["gname", "g"]), file("a")));
  add("x payload over 1 MiB fails", tar(x(["comment", "c".repeat(1 << 20)]), file("a")));
  add("L payload over 1 MiB fails", tar(rawEntry({ name: "L", typeflag: "L" }, Buffer.alloc((1 << 20) + 1, 0x61)), file("a")));

  // 8: sparse.
  add("GNU.sparse.name without version is ignored", tar(x(["GNU.sparse.name", "renamed"], ["GNU.sparse.realsize", "99"]), file("a", "abc")));
  add("unknown sparse version is not sparse", tar(x(["GNU.sparse.major", "2"], ["GNU.sparse.minor", "0"], ["GNU.sparse.name", "renamed"]), file("a", "abc")));
  add("sparse 1.0", tar(x(["GNU.sparse.major", "1"], ["GNU.sparse.minor", "0"], ["GNU.sparse.name", "real/name"], ["GNU.sparse.realsize", "10000"]),
    file("GNUSparseFile.0/name", Buffer.concat([map1x0([[0, 5], [9000, 3]]), Buffer.from("abcdefgh")])), file("after")));
  add("sparse 1.0 with stored bytes that do not match", tar(x(["GNU.sparse.major", "1"], ["GNU.sparse.minor", "0"], ["GNU.sparse.realsize", "100"]),
    file("s", Buffer.concat([map1x0([[0, 5]]), Buffer.from("abc")]))));
  add("sparse 1.0 map longer than its data", tar(x(["GNU.sparse.major", "1"], ["GNU.sparse.minor", "0"], ["GNU.sparse.realsize", "100"]), file("s", "1\n0\n")));
  add("sparse 0.1", tar(x(["GNU.sparse.major", "0"], ["GNU.sparse.minor", "1"], ["GNU.sparse.name", "zero-one"], ["GNU.sparse.size", "50"], ["GNU.sparse.numblocks", "2"], ["GNU.sparse.map", "0,2,40,3"]),
    file("s", "abcde"), file("after")));
  add("sparse 0.0 offset/numbytes pairs", tar(x(["GNU.sparse.size", "20"], ["GNU.sparse.numblocks", "1"], ["GNU.sparse.offset", "10"], ["GNU.sparse.numbytes", "4"], ["GNU.sparse.name", "zero-zero"]),
    file("s", "wxyz"), file("after")));
  add("sparse 0.0 pairs out of order fail", tar(x(["GNU.sparse.numbytes", "4"], ["GNU.sparse.offset", "10"]), file("s", "wxyz")));
  add("sparse 0.1 count mismatch fails", tar(x(["GNU.sparse.major", "0"], ["GNU.sparse.minor", "1"], ["GNU.sparse.numblocks", "2"], ["GNU.sparse.map", "0,2"]), file("s", "ab")));
  add("sparse overlapping fragments fail", tar(x(["GNU.sparse.size", "20"], ["GNU.sparse.numblocks", "2"], ["GNU.sparse.map", "0,5,3,2"]), file("s", "abcdefg")));
  add("sparse on a symlink fails", tar(x(["GNU.sparse.size", "20"], ["GNU.sparse.numblocks", "0"], ["GNU.sparse.map", ""], ["GNU.sparse.major", "0"], ["GNU.sparse.minor", "1"]), rawBlock({ name: "s", typeflag: "2", linkname: "t" })));
  add("old GNU sparse", tar(oldSparse("os", 6, 4096, [[0, 2], [2000, 4]]), padBlock(Buffer.from("abcdef")), file("after")));
  add("old GNU sparse with an extension block", tar(oldSparse("os", 7, 70000, [[0, 1], [100, 1], [200, 1], [300, 1]], true),
    (() => { const e = Buffer.alloc(512); e.write("00000001000\x0000000000003\x00", 0, "latin1"); return e; })(), padBlock(Buffer.from("abcdefg")), file("after")));
  add("old GNU sparse in a ustar header fails", tar(oldSparse("os", 2, 10, [[0, 2]], false, "ustar"), padBlock(Buffer.from("ab"))));
  add("old GNU sparse with a fragment past its size fails", tar(oldSparse("os", 2, 10, [[9, 2]]), padBlock(Buffer.from("ab"))));

  // 9: names are bytes.
  add("ustar names 0xff and 0xfe stay distinct", tar(file(bytes(0x61, 0xff)), file(bytes(0x61, 0xfe)), file(bytes(0xc3, 0xa9, 0x2e, 0xed, 0xa0, 0x80))));
  add("PAX path and linkpath with invalid UTF-8", tar(x(["path", bytes(0x62, 0xff, 0xfe)], ["linkpath", bytes(0xc0, 0xaf)]), rawBlock({ name: "l", typeflag: "2" })));
  add("GNU long name with invalid UTF-8", tar(L(bytes(...Buffer.from("x".repeat(120)), 0xe2, 0x82)), file("a")));

  // 10: PATH_MAX.
  add("PAX path over PATH_MAX", tar(x(["path", "p".repeat(4096)]), file("a"), file("b")));
  add("PAX path of exactly 4095 bytes", tar(x(["path", "p".repeat(4095)]), file("a")));
  add("GNU long link over PATH_MAX", tar(K("k".repeat(5000)), rawBlock({ name: "l", typeflag: "2" }), file("b")));
  add("PAX path over PATH_MAX hidden by a GNU long name", tar(L("short"), x(["path", "p".repeat(5000)]), file("a")));

  // 11: end of archive, truncation, header-only types.
  add("garbage after the end blocks", Buffer.concat([file("a"), END, Buffer.from("garbage")]));
  add("zero block then a header fails", Buffer.concat([file("a"), Buffer.alloc(512), file("b"), END]));
  add("one zero block then EOF", Buffer.concat([file("a"), Buffer.alloc(512)]));
  add("one zero block then a partial block fails", Buffer.concat([file("a"), Buffer.alloc(512), Buffer.alloc(100)]));
  add("no end blocks", file("a"));
  add("truncated data fails", Buffer.concat([rawBlock({ name: "a", size: 2000 }), Buffer.alloc(1000)]));
  add("truncated header fails", Buffer.concat([file("a"), rawBlock({ name: "b" }).subarray(0, 300)]));
  add("padding cut off after the last entry's data", Buffer.concat([rawBlock({ name: "a", size: 3 }), Buffer.from("abc"), Buffer.alloc(7)]));
  add("data cut off one byte short fails", Buffer.concat([rawBlock({ name: "a", size: 3 }), Buffer.from("ab")]));
  add("pending x then the end blocks", Buffer.concat([file("a"), x(["path", "p"]), END]));
  add("pending x then one zero block and EOF", Buffer.concat([file("a"), x(["path", "p"]), Buffer.alloc(512)]));
  add("pending L then EOF", Buffer.concat([file("a"), L("long")]));
  add("pending K with its padding cut off", Buffer.concat([file("a"), L("n"), K("k").subarray(0, 520)]));
  add("pending x with its payload cut off fails", Buffer.concat([file("a"), x(["path", "pppp"]).subarray(0, 520)]));
  add("hardlink with a size carries no data", tar(rawBlock({ name: "h", typeflag: "1", linkname: "a", size: 512 }), file("next")));
  add("devices and fifo", tar(rawBlock({ name: "c", typeflag: "3", devmajor: 1, devminor: 3 }), rawBlock({ name: "b", typeflag: "4", devmajor: 8 }), rawBlock({ name: "p", typeflag: "6" })));

  // 12: unknown typeflags carry data.
  add("unknown typeflag V keeps the stream in sync", tar(file("vol", "0123456789", { typeflag: "V" }), file("next")));
  add("GNU dumpdir D", tar(file("dd", "Yfile\0\0", { typeflag: "D" }), file("next")));
  add("contiguous file", tar(file("c7", "contig", { typeflag: "7" })));
  return c;
}
