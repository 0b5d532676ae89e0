/**
 * Image-controlled text (paths, messages, config fields, registry errors)
 * made safe to show: on a terminal, in a markdown report, in XML. One
 * function for the CLI and every renderer, so they cannot drift apart.
 *
 * Escaped, each as printable ASCII (so escaping twice changes nothing):
 * - C0 controls, DEL and C1 controls as `\xNN` (ESC and the one-byte CSI
 *   U+009B drive a terminal; BEL rings it);
 * - the bidirectional controls U+061C, U+200E, U+200F, U+202A-U+202E and
 *   U+2066-U+2069 as `\u202e`: they reorder what follows them on screen
 *   (https://www.unicode.org/reports/tr9/#Directional_Formatting_Characters,
 *   https://trojansource.codes/);
 * - a lone surrogate U+DC80-U+DCFF, which is how a name byte that is not
 *   valid UTF-8 is held (the "surrogateescape" of
 *   https://peps.python.org/pep-0383/), as the byte it stands for, `\xNN`;
 *   any other lone surrogate, and the noncharacters U+FFFE and U+FFFF
 *   (which XML 1.0 cannot hold: https://www.w3.org/TR/xml/#charsets), as
 *   `\uXXXX`.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** The same, but tab, line feed and carriage return kept: for multi-line text in XML. */
// eslint-disable-next-line no-control-regex
const UNSAFE_KEEP_LINES = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Printable ASCII only: the common case, answered without a replace. */
const PLAIN = /^[\x20-\x7e]*$/;

function escapeOne(c: string): string {
  const n = c.charCodeAt(0);
  if (n <= 0x9f) return `\\x${n.toString(16).padStart(2, "0")}`;
  if (n >= 0xdc80 && n <= 0xdcff) return `\\x${(n - 0xdc00).toString(16)}`;
  return `\\u${n.toString(16).padStart(4, "0")}`;
}

/** `s` with every character above escaped; a single line (newlines too are `\x0a`). */
export function escapeText(s: string): string {
  return PLAIN.test(s) ? s : s.replace(UNSAFE, escapeOne);
}

/** escapeText, but tab, line feed and carriage return are left as they are. */
export function escapeTextKeepingLines(s: string): string {
  return PLAIN.test(s) ? s : s.replace(UNSAFE_KEEP_LINES, escapeOne);
}
