/**
 * Tar names are bytes. Go's archive/tar keeps them as Go strings, which are
 * byte strings (https://github.com/golang/go/blob/master/src/archive/tar/strconv.go,
 * parseString), and the runtimes pass those bytes to the kernel unchanged, so
 * `\xff` and `\xfe` are two different files. JavaScript strings are UTF-16,
 * so names are decoded with "surrogate escape", as Python's
 * (https://peps.python.org/pep-0383/): valid UTF-8 decodes normally, and each
 * byte of an invalid sequence becomes the lone surrogate U+DC00+byte
 * (0x80..0xFF -> U+DC80..U+DCFF). Valid UTF-8 never encodes a surrogate, so
 * the mapping is one-to-one and `encodeName` inverts it exactly.
 */

const strict = new TextDecoder("utf-8", { fatal: true });
const HEX = "0123456789abcdef";

/** Length of the valid UTF-8 sequence at b[i] (end exclusive bound e), or 0 if none starts there. */
function sequenceAt(b: Uint8Array, i: number, e: number): number {
  const c = b[i]!;
  // Leading-byte ranges and second-byte bounds of RFC 3629's table
  // (https://www.rfc-editor.org/rfc/rfc3629#section-4): no overlongs, no
  // surrogates, nothing over U+10FFFF.
  let n: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) n = 2;
  else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c === 0xe0) lo = 0xa0;
    else if (c === 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c === 0xf0) lo = 0x90;
    else if (c === 0xf4) hi = 0x8f;
  } else return 0;
  if (i + n > e) return 0;
  const c1 = b[i + 1]!;
  if (c1 < lo || c1 > hi) return 0;
  for (let k = 2; k < n; k++) {
    const ck = b[i + k]!;
    if (ck < 0x80 || ck > 0xbf) return 0;
  }
  return n;
}

/** Slow path: some bytes are not valid UTF-8. */
function decodeEscaped(b: Uint8Array, start: number, end: number): string {
  let out = "";
  let run = start; // start of the pending valid run
  let i = start;
  while (i < end) {
    const c = b[i]!;
    if (c < 0x80) { i++; continue; }
    const n = sequenceAt(b, i, end);
    if (n > 0) { i += n; continue; }
    if (run < i) out += strict.decode(b.subarray(run, i));
    out += String.fromCharCode(0xdc00 + c);
    i++;
    run = i;
  }
  if (run < end) out += strict.decode(b.subarray(run, end));
  return out;
}

/** Decodes b[start..end) with surrogate escape. Pure ASCII takes a latin1 fast path. */
export function decodeName(b: Uint8Array, start = 0, end = b.length): string {
  let i = start;
  while (i < end && b[i]! < 0x80) i++;
  if (i === end) {
    const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    return buf.toString("latin1", start, end);
  }
  try {
    return strict.decode(b.subarray(start, end));
  } catch {
    return decodeEscaped(b, start, end);
  }
}

/**
 * The bytes `s` was decoded from: UTF-8, except lone surrogates
 * U+DC80..U+DCFF, which are the raw bytes 0x80..0xFF. A string that
 * decodeName cannot produce (another lone surrogate) encodes that code unit
 * as U+FFFD, as TextEncoder does.
 */
export function encodeName(s: string): Uint8Array {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xdc80 && u <= 0xdcff) {
      // Lone only if not the low half of a pair.
      const prev = i > 0 ? s.charCodeAt(i - 1) : 0;
      if (!(prev >= 0xd800 && prev <= 0xdbff)) { plain = false; break; }
    }
  }
  if (plain) return Buffer.from(s, "utf8");
  const out: number[] = [];
  let run = 0;
  const flush = (to: number): void => {
    if (to > run) for (const x of Buffer.from(s.slice(run, to), "utf8")) out.push(x);
  };
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) { i++; continue; }
    } else if (u >= 0xdc80 && u <= 0xdcff) {
      flush(i);
      out.push(u - 0xdc00);
      run = i + 1;
    }
  }
  flush(s.length);
  return Uint8Array.from(out);
}

/**
 * For display: each escaped byte (a lone U+DC80..U+DCFF) as `\xNN`. Other
 * characters are left alone; renderers strip control characters themselves.
 */
export function escapeName(s: string): string {
  let out = "";
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      continue;
    }
    if (u < 0xdc80 || u > 0xdcff) continue;
    const byte = u - 0xdc00;
    out += `${s.slice(run, i)}\\x${HEX[byte >> 4]}${HEX[byte & 15]}`;
    run = i + 1;
  }
  return run === 0 ? s : out + s.slice(run);
}
