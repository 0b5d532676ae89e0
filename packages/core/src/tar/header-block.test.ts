import { describe, it, expect } from "vitest";
import { checkBlock, decodeHeader, finishHeader, readNumber, typeOfFlag } from "./header-block.js";

function block(fill: (b: Buffer) => void, signed = false): Buffer {
  const b = Buffer.alloc(512);
  fill(b);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += signed && x >= 0x80 ? x - 256 : x;
  b.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return b;
}

describe("readNumber", () => {
  it("reads octal with leading spaces and NUL/space terminators", () => {
    expect(readNumber(Buffer.from("0000755\0"), 0, 8)).toBe(0o755);
    expect(readNumber(Buffer.from("   755 \0"), 0, 8)).toBe(0o755);
    expect(readNumber(Buffer.alloc(8), 0, 8)).toBe(0);
    expect(readNumber(Buffer.from("00001234567\0"), 0, 12)).toBe(0o1234567);
  });
  it("rejects garbage", () => {
    expect(readNumber(Buffer.from("0000895\0"), 0, 8)).toBeNaN();
    expect(readNumber(Buffer.from("07 5\0\0\0\0"), 0, 8)).toBeNaN();
  });
  it("reads GNU base-256, positive and negative, and refuses > 2^53", () => {
    const b = Buffer.alloc(8);
    b[0] = 0x80;
    b.writeUIntBE(3_000_000, 2, 6);
    expect(readNumber(b, 0, 8)).toBe(3_000_000);
    const neg = Buffer.alloc(12, 0xff); // -1
    expect(readNumber(neg, 0, 12)).toBe(-1);
    const big = Buffer.alloc(12);
    big[0] = 0x80;
    big.fill(0xff, 1);
    expect(readNumber(big, 0, 12)).toBeNaN();
    const size = Buffer.alloc(12);
    size[0] = 0x80;
    size.writeUIntBE(2 ** 40 + 5, 6, 6);
    expect(readNumber(size, 0, 12)).toBe(2 ** 40 + 5);
  });
});

describe("checkBlock", () => {
  it("recognises zero blocks, good and bad checksums, and the signed sum", () => {
    expect(checkBlock(Buffer.alloc(512), 0)).toBe(-1);
    const good = block((b) => b.write("caf\xe9", 0, "latin1"));
    expect(checkBlock(good, 0)).toBe(1);
    const signed = block((b) => b.write("caf\xe9", 0, "latin1"), true);
    expect(checkBlock(signed, 0)).toBe(1);
    good[3] = 0x41;
    expect(checkBlock(good, 0)).toBe(0);
  });
});

describe("decodeHeader", () => {
  it("joins the ustar prefix, masks mode and maps '0' + trailing slash to dir", () => {
    const b = block((b) => {
      b.write("name/", 0);
      b.write("0104755\0", 100); // S_IFREG | 04755
      b.write("0000000\0", 108);
      b.write("0000000\0", 116);
      b.write("00000000000\0", 124);
      b.write("00000000000\0", 136);
      b[156] = 0x30;
      b.write("ustar\x0000", 257, "latin1");
      b.write("some/prefix", 345);
    });
    const h = decodeHeader(b, 0, 0);
    expect(h.name).toBe("some/prefix/name/");
    expect(h.mode).toBe(0o4755);
    expect(finishHeader(h)).toBe(0);
    expect(h.type).toBe("dir");
  });
  it("ignores bytes at offset 345 in GNU format (atime there, not a prefix)", () => {
    const b = block((b) => {
      b.write("n", 0);
      b[156] = 0x30;
      b.write("ustar  \0", 257, "latin1");
      b.write("00000000001", 345);
    });
    expect(decodeHeader(b, 0, 0).name).toBe("n");
  });
  it("maps typeflags", () => {
    const map = Object.fromEntries([..."01234567SxgLKDV\0"].map((c) => [c, typeOfFlag(c.charCodeAt(0))]));
    expect(map).toEqual({
      "0": "file", "1": "hardlink", "2": "symlink", "3": "char", "4": "block", "5": "dir", "6": "fifo",
      "7": "contiguous", S: "gnu-sparse", x: "unknown", g: "unknown", L: "unknown", K: "unknown",
      D: "unknown", V: "unknown", "\0": "file",
    });
  });
  it("throws TAR_INVALID on a bad numeric field", () => {
    const b = block((b) => {
      b.write("n", 0);
      b.write("00000009999\0", 124);
    });
    expect(() => decodeHeader(b, 0, 1024)).toThrow(/size is not a valid number at offset 1024/);
  });
});
