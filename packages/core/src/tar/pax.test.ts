import { describe, it, expect } from "vitest";
import { thrown as errorOf } from "../../../../fixtures/lib/thrown.js";
import { paxRecords } from "../../../../fixtures/lib/ustar-raw.js";
import { paxInteger, parseInt64, parsePax, paxTime, paxXattrs } from "./pax.js";

const text = (v: Uint8Array | undefined): string | undefined => (v === undefined ? undefined : Buffer.from(v).toString("latin1"));

describe("parsePax (Go's parsePAX and parsePAXRecord)", () => {
  it("keeps the raw value of each record, lengths counted in bytes", () => {
    const p = parsePax(paxRecords(["path", "données/café.txt"], ["linkpath", "→t"], ["size", "8589934592"], ["uid", "-1"], ["mtime", "1.5"], ["comment", "a=b=c"]));
    expect(Buffer.from(p.path!).toString("utf8")).toBe("données/café.txt");
    expect([text(p.size), text(p.uid), text(p.mtime)]).toEqual(["8589934592", "-1", "1.5"]);
  });
  it("lets a later duplicate win and keeps empty values (merging skips them)", () => {
    const p = parsePax(paxRecords(["path", "one"], ["path", "two"], ["uid", ""]));
    expect([text(p.path), text(p.uid)]).toEqual(["two", ""]);
  });
  it("keeps SCHILY.xattr values as raw bytes (copied), keys decoded as names, empty values dropped on merge", () => {
    const raw = Uint8Array.from([0xff, 0x00, 0x0a, 0xc0, 0x3d]);
    const payload = paxRecords(["SCHILY.xattr.user.x", raw], ["SCHILY.xattr.user.e", ""], [Buffer.from([0x53, 0x43, 0x48, 0x49, 0x4c, 0x59, 0x2e, 0x78, 0x61, 0x74, 0x74, 0x72, 0x2e, 0xff]), "v"]);
    const x = paxXattrs(parsePax(payload));
    expect(Object.keys(x)).toEqual(["user.x", "\udcff"]);
    expect(Buffer.from(x["user.x"]!)).toEqual(Buffer.from(raw));
    expect(x["user.x"]!.buffer).not.toBe(payload.buffer);
  });
  it("folds GNU sparse 0.0 offset/numbytes pairs into GNU.sparse.map, in order only", () => {
    const p = parsePax(paxRecords(["GNU.sparse.map", "9,9"], ["GNU.sparse.offset", "1"], ["GNU.sparse.numbytes", "2"], ["GNU.sparse.offset", "5"], ["GNU.sparse.numbytes", "0"]));
    expect(text(p.sparse!.get("map"))).toBe("1,2,5,0");
    expect(() => parsePax(paxRecords(["GNU.sparse.numbytes", "2"]))).toThrow(/out of order/);
    expect(() => parsePax(paxRecords(["GNU.sparse.offset", "1,2"]))).toThrow(/out of order/);
  });
  it("accepts a length with a sign or leading zeros, as ParseInt does", () => {
    expect(text(parsePax(Buffer.from("+0018 path=abcdef\n")).path)).toBe("abcdef");
  });
  it.each([
    ["runs past the payload", "99 path=x\n", "record at byte 0 runs past the end of the header"],
    ["is short of its newline", "9 path=xy\n", "record at byte 0 does not end in a newline where its length says"],
    ["is not decimal", "1x path=x\n", "record at byte 0 has an invalid length"],
    ["is under 5", "4 a=\n", "record at byte 0 has an invalid length"],
    ["has no key=value", "9 pathx\n\n", "record at byte 0 has no key=value"],
    ["has an empty key", "8 =abcd\n", "record at byte 0 has an empty key"],
    ["has no length at all", " path=x\n", "record at byte 0 has an invalid length"],
    ["is NUL padding", "10 path=x\n\0\0\0", "record at byte 10 has no length"],
    ["has leading zeros past its own length", "00000005 a=b\n", "record at byte 0 does not end in a newline where its length says"],
    ["has a NUL in a path value", "12 path=a\0b\n", "record at byte 0 has a NUL byte in its value"],
    ["has a NUL in a key", "13 co\0mment=\n", "record at byte 0 has a NUL byte in its key"],
  ])("throws TAR_INVALID when a record %s", (_, payload, message) => {
    expect(errorOf(() => parsePax(Buffer.from(payload, "latin1")))).toMatchObject({ code: "TAR_INVALID", message: `invalid pax record: ${message}` });
  });
  it("allows NUL in the values of other keys", () => {
    expect(() => parsePax(Buffer.from("15 comment=a\0b\n", "latin1"))).not.toThrow();
    expect(Buffer.from(paxXattrs(parsePax(paxRecords(["SCHILY.xattr.user.n", "a\0b"])))["user.n"]!)).toEqual(Buffer.from("a\0b", "latin1"));
  });
});

describe("PAX values (mergePAX)", () => {
  it("parseInt64 is strconv.ParseInt(s, 10, 64)", () => {
    const p = (s: string): bigint | undefined => parseInt64(Buffer.from(s));
    expect([p("0"), p("-1"), p("+42"), p("007"), p("9223372036854775807"), p("-9223372036854775808")]).toEqual([0n, -1n, 42n, 7n, 2n ** 63n - 1n, -(2n ** 63n)]);
    for (const s of ["", "+", "-", "1_0", " 1", "1 ", "0x10", "9223372036854775808", "1.0"]) expect(p(s), s).toBeUndefined();
  });
  it("ids may be negative; over 2^53 is refused (stricter than Go's int64)", () => {
    expect(paxInteger("uid", Buffer.from("-1"))).toBe(-1);
    expect(errorOf(() => paxInteger("uid", Buffer.from("12a"))).message).toBe("invalid pax record: uid is not a decimal integer");
    expect(errorOf(() => paxInteger("gid", Buffer.from("9007199254740993"))).message).toBe("invalid pax record: gid is too large");
  });
  it("times are parsePAXTime: %d or %d.%d, rounded down to whole seconds", () => {
    const t = (s: string): number => paxTime("mtime", Buffer.from(s));
    expect([t("1700000000.123456789"), t("-1.5"), t("-1.000"), t("-0.5"), t("5."), t("+3"), t("-1.0000000001")]).toEqual([1700000000, -2, -1, -1, 5, 3, -1]);
    for (const s of ["", ".5", "1.2x", "1e3", "1.-5"]) expect(() => t(s), s).toThrow(/mtime is not a valid time/);
  });
});
