/**
 * Names are bytes. layerlint decodes tar names with "surrogate escape"
 * (PEP 383, https://peps.python.org/pep-0383/): valid UTF-8 decodes
 * normally, each byte 0x80..0xFF of an invalid sequence becomes the lone
 * surrogate U+DC80..U+DCFF. The oracle prints raw bytes as hex. This is the
 * test side's mapping between the two, written from that contract so it
 * checks core's decoder rather than reusing it.
 */

/** The raw bytes a layerlint path string stands for. */
export function encodeName(s: string): Buffer {
  const parts: Buffer[] = [];
  let run = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const isLoneLow = c >= 0xdc80 && c <= 0xdcff && !(i > 0 && isHigh(s.charCodeAt(i - 1)));
    if (isLoneLow) {
      if (run !== "") parts.push(Buffer.from(run, "utf8"));
      run = "";
      parts.push(Buffer.from([c - 0xdc00]));
    } else {
      run += s[i];
    }
  }
  if (run !== "") parts.push(Buffer.from(run, "utf8"));
  return Buffer.concat(parts);
}

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

export const hexName = (s: string): string => encodeName(s).toString("hex");

/** Hex of raw bytes → a readable form: printable ASCII as is, other bytes as \xNN. */
export function showHex(hex: string): string {
  let out = "";
  for (const b of Buffer.from(hex, "hex")) out += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`;
  return out;
}

export const fromHex = (hex: string): Buffer => Buffer.from(hex, "hex");
