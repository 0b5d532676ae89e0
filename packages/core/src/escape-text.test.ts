import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { escapeText, escapeTextKeepingLines } from "./escape-text.js";
import { mdCell } from "./reports/markdown.js";
import { xmlText } from "./reports/xml.js";
import { pathToUri } from "./reports/sarif.js";

describe("escapeText", () => {
  it("escapes C0, DEL and C1 as \\xNN, bidi controls as \\uXXXX, raw name bytes as the byte", () => {
    expect(escapeText("a\x1b[31mb\x07\x7f\x9bc\n")).toBe("a\\x1b[31mb\\x07\\x7f\\x9bc\\x0a");
    for (const c of ["\u061c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]) {
      expect(escapeText(`x${c}y`)).toBe(`x\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}y`);
    }
    // U+DC80..U+DCFF hold the bytes 0x80..0xff of a name that is not UTF-8: \xff and \xfe stay apart.
    expect(escapeText("a\udcffb\udcfe\udc80")).toBe("a\\xffb\\xfe\\x80");
    // Other lone surrogates and the noncharacters XML cannot hold.
    expect(escapeText("\ud800 \udc00 \ufffe \uffff")).toBe("\\ud800 \\udc00 \\ufffe \\uffff");
  });

  it("leaves printable text alone, paired surrogates and other scripts included", () => {
    for (const s of ["plain /usr/bin/sh", "héllo wörld", "日本語", "emoji 😀 pair", "\u200b zero width is not bidi"]) {
      expect(escapeText(s)).toBe(s);
    }
    expect(escapeText("a\tb")).toBe("a\\x09b");
    expect(escapeTextKeepingLines("a\tb\r\nc\x1b")).toBe("a\tb\r\nc\\x1b");
  });

  it("is idempotent and its output holds nothing it would escape", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const once = escapeText(s);
        expect(escapeText(once)).toBe(once);
        // eslint-disable-next-line no-control-regex
        expect(once).not.toMatch(/[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
      }),
    );
  });
});

describe("renderers use it", () => {
  it("markdown cells, XML text and SARIF URIs carry no raw control, bidi or lone surrogate", () => {
    const name = "/opt/\u202eevil\u2069\x07\x1b\udcff.sh";
    expect(mdCell(name)).toBe("/opt/\\\\u202eevil\\\\u2069\\\\x07\\\\x1b\\\\xff.sh");
    expect(xmlText(`${name}\nnext`)).toBe("/opt/\\u202eevil\\u2069\\x07\\x1b\\xff.sh\nnext");
    // The URI names the file's real bytes: 0xff as %FF (encodeURIComponent alone throws on a lone surrogate).
    expect(pathToUri("/opt/a\udcffb/\u202ex")).toBe("opt/a%FFb/%E2%80%AEx");
  });
});
