import { describe, expect, it } from "vitest";
import { goAtoi, goTrimSpace, goUint32 } from "./go-text.js";

const trim = (s: string): string => {
  const b = Buffer.from(s, "utf8");
  const [a, e] = goTrimSpace(b, 0, b.length);
  return b.subarray(a, e).toString("utf8");
};

describe("goTrimSpace (bytes.TrimSpace, unicode.IsSpace)", () => {
  it.each<[string, string]>([
    ["  a b \t\r\n", "a b"],
    ["\v\fa\v\f", "a"],
    ["\u0085a\u0085", "a"], // NEL: Go trims it, JS trim() does not
    ["\u00a0a\u00a0", "a"],
    ["\u1680\u2000\u200aa\u2028\u2029\u202f\u205f\u3000", "a"],
    ["\ufeffa\ufeff", "\ufeffa\ufeff"], // BOM: JS trim() removes it, Go keeps it
    ["\u200ba\u200b", "\u200ba\u200b"], // zero-width space is not White_Space
    ["\u0080a", "\u0080a"],
    ["", ""],
    ["   ", ""],
  ])("%j → %j", (input, want) => expect(trim(input)).toBe(want));

  it("JavaScript's trim() disagrees on exactly U+0085 and U+FEFF", () => {
    expect("\u0085a".trim()).not.toBe(trim("\u0085a"));
    expect("\ufeffa".trim()).not.toBe(trim("\ufeffa"));
  });

  it("an invalid UTF-8 byte is not space, and a lone continuation byte stops the right trim", () => {
    const b = Uint8Array.from([0x85, 0x61, 0x85, 0x20]);
    expect(goTrimSpace(b, 0, b.length)).toEqual([0, 3]);
    const c = Uint8Array.from([0x61, 0xe2, 0x80]); // truncated U+2000
    expect(goTrimSpace(c, 0, c.length)).toEqual([0, 3]);
  });
});

describe("goAtoi (strconv.Atoi on 64-bit)", () => {
  it.each<[string, bigint, string | undefined]>([
    ["0", 0n, undefined],
    ["00", 0n, undefined],
    ["+7", 7n, undefined],
    ["-1", -1n, undefined],
    ["4294967296", 4294967296n, undefined],
    ["9223372036854775807", 9223372036854775807n, undefined],
    ["9223372036854775808", 9223372036854775807n, "range"],
    ["99999999999999999999", 9223372036854775807n, "range"],
    ["-9223372036854775808", -9223372036854775808n, undefined],
    ["-99999999999999999999", -9223372036854775808n, "range"],
    ["", 0n, "syntax"],
    ["+", 0n, "syntax"],
    [" 1", 0n, "syntax"],
    ["1_000", 0n, "syntax"],
    ["0x10", 0n, "syntax"],
    ["1e3", 0n, "syntax"],
    ["\u0661", 0n, "syntax"],
  ])("%j → %s (%s)", (s, value, error) => expect(goAtoi(s)).toEqual(error === undefined ? { value } : { value, error }));

  it("uint32() keeps the low 32 bits", () => {
    expect(goUint32(4294967296n)).toBe(0);
    expect(goUint32(-1n)).toBe(4294967295);
    expect(goUint32(-4294967296n)).toBe(0);
    expect(goUint32(9223372036854775807n)).toBe(4294967295);
    expect(goUint32(-9223372036854775808n)).toBe(0);
  });
});
