import { describe, it, expect } from "vitest";
import { thrown as errorOf } from "../../../../fixtures/lib/thrown.js";
import { base256, rawBlock, type RawBlock } from "../../../../fixtures/lib/ustar-raw.js";
import {
  checkBlock, decodeHeader, finishHeader, formatOf, FORMAT_GNU, FORMAT_STAR, FORMAT_USTAR, FORMAT_V7, parseNumeric, parseOctal, typeOfFlag,
} from "./header-block.js";

const field = (s: string | number[]): Buffer => (typeof s === "string" ? Buffer.from(s, "latin1") : Buffer.from(s));
const decode = (h: RawBlock) => decodeHeader(rawBlock(h), 0, 0);

describe("parseOctal (Go's parser.parseOctal)", () => {
  it("trims spaces and NULs at both ends, then cuts at the first NUL", () => {
    expect(parseOctal(field("0000755\0"), 0, 8)).toBe(0o755);
    expect(parseOctal(field("   755 \0"), 0, 8)).toBe(0o755);
    expect(parseOctal(field("\0\0 755\0\0"), 0, 8)).toBe(0o755);
    expect(parseOctal(field("644\0 12\0"), 0, 8)).toBe(0o644); // Go: Trim, then parseString stops at the NUL
    expect(parseOctal(Buffer.alloc(8), 0, 8)).toBe(0);
    expect(parseOctal(field("        "), 0, 8)).toBe(0);
    expect(parseOctal(field("77777777777\0"), 0, 12)).toBe(8 ** 11 - 1);
  });
  it("fails on anything ParseUint(s, 8, 64) refuses", () => {
    for (const s of ["0000895\0", "07 5\0\0\0\0", "+755\0\0\0\0", "-1\0\0\0\0\0\0", "0x1f\0\0\0\0", "7_5\0\0\0\0\0"]) {
      expect(parseOctal(field(s), 0, 8), s).toBeNaN();
    }
  });
});

describe("parseNumeric (base-256 when bit 0x80 is set, else octal)", () => {
  it("reads positive and negative base-256 with Go's sign bit 0x40", () => {
    expect(parseNumeric(base256(3_000_000n, 8), 0, 8)).toBe(3_000_000);
    expect(parseNumeric(base256(-1n, 12), 0, 12)).toBe(-1);
    expect(parseNumeric(base256(-12345n, 8), 0, 8)).toBe(-12345);
    expect(parseNumeric(base256(2n ** 40n + 5n, 12), 0, 12)).toBe(2 ** 40 + 5);
    // 0x81: positive, the low bits of the first byte are the top of the number.
    expect(parseNumeric(field([0x81, 0, 0, 0, 0, 0, 0, 1]), 0, 8)).toBe(2 ** 56 + 1);
  });
  it("fails on Go's int64 overflow", () => {
    const big = Buffer.alloc(12, 0xff);
    big[0] = 0x80; // 95 bits
    expect(parseNumeric(big, 0, 12)).toBeNaN();
    expect(parseNumeric(base256(2n ** 63n, 12), 0, 12)).toBeNaN();
    expect(parseNumeric(base256(2n ** 63n - 1n, 12), 0, 12)).toBe(2 ** 63);
  });
});

describe("checkBlock", () => {
  it("recognises zero blocks, good and bad checksums, and the signed sum", () => {
    expect(checkBlock(Buffer.alloc(512), 0)).toBe(-1);
    expect(checkBlock(rawBlock({ name: "caf\xe9" }), 0)).toBe(1);
    expect(checkBlock(rawBlock({ name: field([0x63, 0xe9]) }), 0)).toBe(1);
    expect(checkBlock(rawBlock({ name: field([0x63, 0xe9]), checksum: "signed" }), 0)).toBe(1);
    expect(checkBlock(rawBlock({ name: "a", checksum: "bad" }), 0)).toBe(0);
  });
  it("reads the stored checksum as octal only, cut at its first NUL", () => {
    const b = rawBlock({ name: "a" });
    b[155] = 0x58; // "0nnnnn\0X": Go trims, then stops at the NUL
    expect(checkBlock(b, 0)).toBe(1);
    const base = rawBlock({ name: "a" });
    base[148] = 0x80; // a base-256 checksum is not octal: bad
    expect(checkBlock(base, 0)).toBe(0);
  });
});

describe("formatOf (block.getFormat's magic)", () => {
  it("tells USTAR, GNU, STAR and V7 apart; GNU needs its version", () => {
    expect(formatOf(rawBlock({ format: "ustar" }), 0)).toBe(FORMAT_USTAR);
    expect(formatOf(rawBlock({ format: "gnu" }), 0)).toBe(FORMAT_GNU);
    expect(formatOf(rawBlock({ format: "star" }), 0)).toBe(FORMAT_STAR);
    expect(formatOf(rawBlock({ format: "v7" }), 0)).toBe(FORMAT_V7);
    expect(formatOf(rawBlock({ format: "gnu-v7" }), 0)).toBe(FORMAT_V7);
  });
});

describe("decodeHeader (Go's readHeader)", () => {
  it("joins the ustar prefix (155 bytes) and masks the mode", () => {
    const h = decode({ name: "name/", mode: 0o104755, at345: "some/prefix" });
    expect([h.name, h.mode]).toEqual(["some/prefix/name/", 0o4755]);
  });
  it("joins the star prefix (131 bytes: atime and ctime follow) and parses star times", () => {
    expect(decode({ name: "n", format: "star", at345: "p".repeat(131) }).name).toBe(`${"p".repeat(131)}/n`);
    expect(errorOf(() => decode({ name: "n", format: "star", patch: (b) => b.write("zz", 476, "latin1") })).message)
      .toBe("tar header field atime is not a valid number at offset 0");
  });
  it("GNU: no prefix while atime/ctime parse; the ASCII prefix of pre-Go 1.8 writers when they do not", () => {
    expect(decode({ name: "n", format: "gnu", at345: "00000000001\0" }).name).toBe("n");
    expect(decode({ name: "n", format: "gnu", at345: "pre/fix" }).name).toBe("pre/fix/n");
    expect(decode({ name: "n", format: "gnu", at345: field([0x70, 0xc3, 0xa9]) }).name).toBe("n");
    expect(decode({ name: "n", format: "gnu", patch: (b) => b.write("x", 357, "latin1") }).name).toBe("n"); // prefix field empty
  });
  it("V7 (including GNU magic with a wrong version): no uname, gname, devices or prefix, even when garbage", () => {
    const h = decode({ name: "n", format: "gnu-v7", uname: "u", devmajor: "zz", at345: "pre" });
    expect([h.name, h.uname, h.devmajor]).toEqual(["n", "", 0]);
    expect(decode({ name: "n", format: "v7", patch: (b) => b.write("junk", 329, "latin1") }).devmajor).toBe(0);
  });
  it("decodes names as bytes (surrogate escape)", () => {
    expect(decode({ name: field([0x61, 0xff]), linkname: field([0xfe]), uname: field([0xc3, 0xa9]) })).toMatchObject({ name: "a\udcff", linkname: "\udcfe", uname: "é" });
  });
  it("fails on any numeric field Go fails on, naming it", () => {
    expect(errorOf(() => decode({ mode: "0000899\0" }))).toMatchObject({ code: "TAR_INVALID", message: "tar header field mode is not a valid number at offset 0" });
    expect(errorOf(() => decode({ devminor: "9\0\0\0\0\0\0\0" })).message).toBe("tar header field devminor is not a valid number at offset 0");
    expect(errorOf(() => decode({ size: "00000009999\0" })).message).toBe("tar header field size is not a valid number at offset 0");
  });
  it("reads negative base-256 ids and refuses ids over 2^53 (stricter than Go's int64)", () => {
    expect(decode({ uid: base256(-1n, 8), gid: base256(-2n, 8) })).toMatchObject({ uid: -1, gid: -2 });
    expect(errorOf(() => decode({ uid: base256(2n ** 60n, 8) })).message).toBe("tar header field uid is not a valid number (over 2^53) at offset 0");
  });
  it("maps typeflags", () => {
    const map = Object.fromEntries([..."01234567SxgLKDV\0"].map((c) => [c, typeOfFlag(c.charCodeAt(0))]));
    expect(map).toEqual({
      "0": "file", "1": "hardlink", "2": "symlink", "3": "char", "4": "block", "5": "dir", "6": "fifo",
      "7": "contiguous", S: "gnu-sparse", x: "unknown", g: "pax-global", L: "unknown", K: "unknown",
      D: "unknown", V: "unknown", "\0": "file",
    });
  });
});

describe("finishHeader", () => {
  it("makes only TypeRegA (NUL) with a trailing slash a directory; '0' with one stays a file with data", () => {
    const nul = decode({ name: "d/", typeflag: 0, size: 5 });
    expect([finishHeader(nul, true, false, 0), nul.type, nul.size]).toEqual([0, "dir", 0]);
    const reg = decode({ name: "d/", typeflag: "0", size: 5 });
    expect([finishHeader(reg, true, false, 0), reg.type, reg.size]).toEqual([5, "file", 5]);
  });
  it("gives header-only types no data whatever their size, even a negative one", () => {
    const dir = decode({ name: "d", typeflag: "5", size: base256(-1n, 12) });
    expect([finishHeader(dir, false, false, 0), dir.size]).toEqual([0, 0]);
  });
  it("fails on a negative or inexact size for types with data", () => {
    expect(errorOf(() => finishHeader(decode({ size: base256(-1n, 12) }), false, false, 0)).message).toBe("tar header size is negative at offset 0");
    expect(errorOf(() => finishHeader(decode({ size: base256(2n ** 60n, 12) }), false, false, 9)).message).toBe("tar header field size is not a valid number (over 2^53) at offset 9");
    expect(errorOf(() => finishHeader(decode({ size: base256(2n ** 60n, 12) }), false, true, 9)).message).toBe("invalid pax record: size is too large");
  });
});
