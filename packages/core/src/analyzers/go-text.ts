/**
 * Go's byte and number semantics, as the container runtimes' user lookup
 * applies them to /etc/passwd (runc's libcontainer/user and moby's
 * github.com/moby/sys/user parse with bufio.Scanner, bytes.TrimSpace and
 * strconv.Atoi). JavaScript's `trim()` and `Number()` differ from them on
 * edge cases a crafted image can use, so they are reimplemented here:
 *
 * - https://github.com/golang/go/blob/master/src/bytes/bytes.go (TrimSpace)
 * - https://github.com/golang/go/blob/master/src/unicode/graphic.go (IsSpace)
 * - https://github.com/golang/go/blob/master/src/strconv/atoi.go (Atoi, ParseInt)
 * - https://github.com/golang/go/blob/master/src/bufio/scan.go (MaxScanTokenSize)
 */

/**
 * bufio.MaxScanTokenSize: a Scanner's buffer never grows past 64 KiB. A
 * line that does not fit (with its "\n") stops the scan with ErrTooLong,
 * and the runtimes' parsers then return that error for the whole file.
 */
export const GO_MAX_SCAN_TOKEN = 64 * 1024;

/**
 * Byte length of the Unicode white space (unicode.IsSpace) that starts at
 * `i`, 0 if none. IsSpace is: '\t', '\n', '\v', '\f', '\r', ' ', U+0085,
 * U+00A0, and for larger runes the White_Space property: U+1680,
 * U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. Not U+FEFF (which
 * JavaScript's trim() removes), and U+0085 is (which trim() keeps).
 */
function spaceAt(b: Uint8Array, i: number, end: number): number {
  const c = b[i]!;
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return 1;
  if (c === 0xc2 && i + 1 < end) {
    const d = b[i + 1]!;
    return d === 0x85 || d === 0xa0 ? 2 : 0;
  }
  if (i + 2 >= end) return 0;
  const d = b[i + 1]!;
  const e = b[i + 2]!;
  if (c === 0xe1) return d === 0x9a && e === 0x80 ? 3 : 0; // U+1680
  if (c === 0xe2) {
    if (d === 0x80) return (e >= 0x80 && e <= 0x8a) || e === 0xa8 || e === 0xa9 || e === 0xaf ? 3 : 0;
    return d === 0x81 && e === 0x9f ? 3 : 0; // U+205F
  }
  if (c === 0xe3) return d === 0x80 && e === 0x80 ? 3 : 0; // U+3000
  return 0;
}

/**
 * Byte length of the white space rune that ends at `end`, 0 if none. Go's
 * TrimRightFunc decodes the last rune with utf8.DecodeLastRune: a valid
 * 2- or 3-byte sequence ending there is that rune, so matching the encoded
 * suffix is exact.
 */
function spaceBefore(b: Uint8Array, start: number, end: number): number {
  const c = b[end - 1]!;
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return 1;
  if (c < 0x80 || c > 0xbf) return 0;
  if (end - 2 >= start && b[end - 2] === 0xc2) return c === 0x85 || c === 0xa0 ? 2 : 0;
  if (end - 3 >= start && spaceAt(b, end - 3, end) === 3) return 3;
  return 0;
}

/** bytes.TrimSpace on b[start, end): the trimmed [start, end). */
export function goTrimSpace(b: Uint8Array, start: number, end: number): [number, number] {
  let s = start;
  let e = end;
  while (s < e) {
    const n = spaceAt(b, s, e);
    if (n === 0) break;
    s += n;
  }
  while (e > s) {
    const n = spaceBefore(b, s, e);
    if (n === 0) break;
    e -= n;
  }
  return [s, e];
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

export interface GoInt {
  /**
   * What Atoi returns, error or not: the value; on a range error the value
   * clamped to int64; on a syntax error 0.
   */
  value: bigint;
  error?: "syntax" | "range" | undefined;
}

/**
 * strconv.Atoi on a 64-bit platform (int is int64): an optional sign, then
 * one or more ASCII decimal digits, nothing else (no spaces, no "_", no
 * base prefix). `s` holds one character per byte (latin1).
 */
export function goAtoi(s: string): GoInt {
  let i = 0;
  let neg = false;
  const c0 = s.charCodeAt(0);
  if (c0 === 43 || c0 === 45) {
    neg = c0 === 45;
    i = 1;
  }
  if (i >= s.length) return { value: 0n, error: "syntax" };
  for (let k = i; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return { value: 0n, error: "syntax" };
  }
  const v = BigInt(s.slice(i));
  if (neg) return -v < INT64_MIN ? { value: INT64_MIN, error: "range" } : { value: -v };
  return v > INT64_MAX ? { value: INT64_MAX, error: "range" } : { value: v };
}

/** Go's uint32(v) for an int64 v: the low 32 bits. */
export function goUint32(v: bigint): number {
  return Number(BigInt.asUintN(32, v));
}
