import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { decodeName, encodeName, escapeName } from "./names.js";

const b = (...x: number[]): Uint8Array => Uint8Array.from(x);

describe("decodeName / encodeName (surrogate escape)", () => {
  it("keeps \\xff and \\xfe distinct and gives the bytes back", () => {
    const ff = decodeName(b(0x61, 0xff));
    const fe = decodeName(b(0x61, 0xfe));
    expect(ff).not.toBe(fe);
    expect([ff, fe]).toEqual(["a\udcff", "a\udcfe"]);
    expect(Buffer.from(encodeName(ff))).toEqual(Buffer.from([0x61, 0xff]));
    expect(Buffer.from(encodeName(fe))).toEqual(Buffer.from([0x61, 0xfe]));
  });

  it("decodes valid UTF-8 normally, and ASCII through the fast path", () => {
    expect(decodeName(Buffer.from("usr/bin/ls"))).toBe("usr/bin/ls");
    expect(decodeName(Buffer.from("données/café ✓ 😀"))).toBe("données/café ✓ 😀");
    expect(decodeName(Buffer.from("xx/abc/yy"), 3, 6)).toBe("abc");
    expect(decodeName(b(0x41, 0xc3, 0xa9, 0x42), 1, 3)).toBe("é");
  });

  it("escapes every byte of an invalid sequence: overlongs, surrogates, truncated and stray bytes", () => {
    expect(decodeName(b(0xc0, 0xaf))).toBe("\udcc0\udcaf"); // overlong "/"
    expect(decodeName(b(0xed, 0xa0, 0x80))).toBe("\udced\udca0\udc80"); // encoded U+D800
    expect(decodeName(b(0xe2, 0x82))).toBe("\udce2\udc82"); // truncated "€"
    expect(decodeName(b(0xe2, 0x82, 0x41))).toBe("\udce2\udc82A");
    expect(decodeName(b(0xf4, 0x90, 0x80, 0x80))).toBe("\udcf4\udc90\udc80\udc80"); // over U+10FFFF
    expect(decodeName(b(0xc3, 0xa9, 0xff, 0xc3, 0xa9))).toBe("é\udcffé");
  });

  it("is an exact inverse on any bytes (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        expect(Buffer.from(encodeName(decodeName(bytes)))).toEqual(Buffer.from(bytes));
      }),
      { seed: 0x1a7e5, numRuns: 3000 },
    );
  });

  it("is one-to-one: different bytes never decode to the same name (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 }), (x, y) => {
        if (!Buffer.from(x).equals(Buffer.from(y))) expect(decodeName(x)).not.toBe(decodeName(y));
      }),
      { seed: 0x1a7e5, numRuns: 3000 },
    );
  });

  it("encodes other lone surrogates as U+FFFD, as TextEncoder does", () => {
    expect(Buffer.from(encodeName("a\ud800b\udc41"))).toEqual(Buffer.from("a\ufffdb\ufffd", "utf8"));
    expect(Buffer.from(encodeName("😀\udcff"))).toEqual(Buffer.concat([Buffer.from("😀"), Buffer.from([0xff])]));
  });
});

describe("escapeName", () => {
  it("shows escaped bytes as \\xNN and leaves the rest alone", () => {
    expect(escapeName(decodeName(b(0x61, 0xff, 0x2f, 0xc3, 0xa9, 0xfe)))).toBe("a\\xff/é\\xfe");
    expect(escapeName("plain/ascii")).toBe("plain/ascii");
    expect(escapeName("😀\udc80")).toBe("😀\\x80");
  });
});
