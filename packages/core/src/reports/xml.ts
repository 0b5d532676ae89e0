/**
 * XML 1.0 text and attribute escaping. What XML 1.0 cannot carry at all
 * (most C0 controls, lone surrogates, U+FFFE/U+FFFF:
 * https://www.w3.org/TR/xml/#charsets) and what would spoof a reader's
 * screen (C1 controls, bidi overrides) is shown as escapeText shows it on
 * the terminal (`\x1b`, `\xff` for a raw name byte, `\u202e`): file names
 * in images can hold any byte but NUL and "/".
 */
import { escapeTextKeepingLines } from "../escape-text.js";

export function xmlText(s: string): string {
  return escapeTextKeepingLines(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, "&quot;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;").replace(/\t/g, "&#9;");
}
