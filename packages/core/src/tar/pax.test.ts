import { describe, it, expect } from "vitest";
import { parsePax } from "./pax.js";

/** One PAX record with a correct byte length. */
function rec(key: string, value: string | Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), Buffer.from(value), Buffer.from("\n")]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len++;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

describe("parsePax", () => {
  it("applies the known keys, counting lengths in bytes (multi-byte UTF-8)", () => {
    const p = parsePax(Buffer.concat([
      rec("path", "données/café.txt"),
      rec("linkpath", "→target"),
      rec("size", "8589934592"),
      rec("uid", "3000000"),
      rec("gid", "3000001"),
      rec("uname", "ü"),
      rec("gname", "g"),
      rec("mtime", "1700000000.123456789"),
      rec("atime", "1"),
      rec("comment", "a=b=c"),
    ]));
    expect(p).toEqual({
      path: "données/café.txt", linkpath: "→target", size: 8589934592, uid: 3000000, gid: 3000001,
      uname: "ü", gname: "g", mtime: 1700000000,
    });
  });
  it("keeps SCHILY.xattr values as raw bytes and flags GNU.sparse", () => {
    const raw = Uint8Array.from([0xff, 0x00, 0x0a, 0xc0, 0x3d]); // NUL, newline, "=" and high bytes
    const p = parsePax(Buffer.concat([rec("SCHILY.xattr.user.x", raw), rec("GNU.sparse.name", "real"), rec("GNU.sparse.major", "1")]));
    expect(Buffer.from(p.xattrs!["user.x"]!)).toEqual(Buffer.from(raw));
    expect(p.sparse).toBe(true);
    expect(p.sparseName).toBe("real");
  });
  it("rounds negative fractional mtimes down", () => {
    expect(parsePax(rec("mtime", "-1.5")).mtime).toBe(-2);
    expect(parsePax(rec("mtime", "-1.000")).mtime).toBe(-1);
  });
  it("treats an empty value as unset", () => {
    expect(parsePax(rec("path", ""))).toEqual({});
  });
  it.each([
    ["runs past the buffer", "99 path=x\n", /runs past the end/],
    ["is short of its newline", "9 path=xy\n", /does not end in a newline/],
    ["is not numeric", "1x path=x\n", /non-numeric length/],
    ["is zero", "0 path=x\n", /length zero/],
    ["has no key=value", "9 pathx\n\n", /no key=value/],
    ["has no length at all", " path=x\n", /no length/],
    ["is NUL padding", "10 path=x\n\0\0\0", /non-numeric length/],
  ])("throws TAR_INVALID when a record length %s", (_, text, re) => {
    expect(() => parsePax(Buffer.from(text, "latin1"))).toThrow(re);
    try {
      parsePax(Buffer.from(text, "latin1"));
    } catch (e) {
      expect((e as { code: string }).code).toBe("TAR_INVALID");
    }
  });
  it("throws on a non-numeric uid or size", () => {
    expect(() => parsePax(rec("uid", "12a"))).toThrow(/uid has a non-numeric value/);
    expect(() => parsePax(rec("size", "-5"))).toThrow(/size has a non-numeric value/);
  });
});
