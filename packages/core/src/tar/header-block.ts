/**
 * Decoding of one 512-byte tar header block exactly as Go's archive/tar
 * reads it (Reader.readHeader and block.getFormat), since containerd, moby,
 * podman and buildkit apply layers with it:
 * https://github.com/golang/go/blob/master/src/archive/tar/reader.go,
 * https://github.com/golang/go/blob/master/src/archive/tar/format.go,
 * https://github.com/golang/go/blob/master/src/archive/tar/strconv.go.
 * Pure functions over a buffer + offset, so the walker decodes in place
 * inside a source chunk, or from its carry buffer when a header straddles.
 */
import { LayerlintError } from "../errors.js";
import { decodeName } from "./names.js";
import type { TarHeader, TarType } from "./tar-header.js";

export const BLOCK = 512;

export const FLAG_PAX_LOCAL = 0x78; // 'x'
export const FLAG_PAX_GLOBAL = 0x67; // 'g'
export const FLAG_GNU_LONGNAME = 0x4c; // 'L'
export const FLAG_GNU_LONGLINK = 0x4b; // 'K'
export const FLAG_GNU_SPARSE = 0x53; // 'S'

/** Header formats, as Go's Format bits. V7: no recognised magic. */
export const FORMAT_V7 = 1;
export const FORMAT_USTAR = 2; // "ustar\0": USTAR or PAX
export const FORMAT_GNU = 8; // "ustar " + version " \0"
export const FORMAT_STAR = 16; // "ustar\0" + "tar\0" at 508

/** Special files whose payload Go reads itself (x, g, L, K): never entries, except `g`. */
export function isMetaFlag(flag: number): boolean {
  return flag === FLAG_PAX_LOCAL || flag === FLAG_PAX_GLOBAL || flag === FLAG_GNU_LONGNAME || flag === FLAG_GNU_LONGLINK;
}

/** Typeflag → entry kind. NUL (TypeRegA) is a file here; finishHeader makes it a dir when the name ends in "/". */
export function typeOfFlag(flag: number): TarType {
  switch (flag) {
    case 0x30: case 0: return "file";
    case 0x31: return "hardlink";
    case 0x32: return "symlink";
    case 0x33: return "char";
    case 0x34: return "block";
    case 0x35: return "dir";
    case 0x36: return "fifo";
    case 0x37: return "contiguous";
    case FLAG_GNU_SPARSE: return "gnu-sparse";
    case FLAG_PAX_GLOBAL: return "pax-global";
    default: return "unknown";
  }
}

/**
 * Go's isHeaderOnlyType (https://github.com/golang/go/blob/master/src/archive/tar/common.go):
 * link, device, dir and fifo headers carry no data whatever their size says.
 */
export function isHeaderOnly(type: TarType): boolean {
  return type === "hardlink" || type === "symlink" || type === "char" || type === "block" || type === "dir" || type === "fifo";
}

/**
 * parseOctal: trim spaces and NULs at both ends, cut at the first NUL, then
 * strconv.ParseUint(s, 8, 64). "" is 0. NaN where Go reports an error.
 */
export function parseOctal(buf: Uint8Array, off: number, len: number): number {
  let s = off;
  let e = off + len;
  while (s < e && (buf[s] === 0x20 || buf[s] === 0)) s++;
  while (e > s && (buf[e - 1] === 0x20 || buf[e - 1] === 0)) e--;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i]!;
    if (c === 0) break;
    if (c < 0x30 || c > 0x37) return NaN;
    v = v * 8 + (c - 0x30);
  }
  return v; // a field holds at most 12 octal digits (2^36): always exact
}

/**
 * parseNumeric's base-256 branch (first byte has bit 0x80; bit 0x40 is the
 * sign; two's complement big-endian), with Go's int64 overflow checks.
 * undefined where Go reports an error.
 */
export function parseNumericBig(buf: Uint8Array, off: number, len: number): bigint | undefined {
  if ((buf[off]! & 0x80) === 0) {
    const v = parseOctal(buf, off, len);
    return Number.isNaN(v) ? undefined : BigInt(v);
  }
  const inv = (buf[off]! & 0x40) !== 0 ? 0xff : 0;
  let x = 0n;
  for (let i = off; i < off + len; i++) {
    let c = buf[i]! ^ inv;
    if (i === off) c &= 0x7f;
    if (x >> 56n > 0n) return undefined;
    x = (x << 8n) | BigInt(c);
  }
  if (x >> 63n > 0n) return undefined;
  return inv ? -x - 1n : x;
}

/**
 * parseNumeric: base-256 or octal. NaN where Go reports an error. A base-256
 * value beyond 2^53 comes back rounded: callers that need it exact check
 * `Number.isSafeInteger`.
 */
export function parseNumeric(buf: Uint8Array, off: number, len: number): number {
  if ((buf[off]! & 0x80) === 0) return parseOctal(buf, off, len);
  const v = parseNumericBig(buf, off, len);
  return v === undefined ? NaN : Number(v);
}

/**
 * The checksum part of getFormat, plus the all-zero test, in one pass. The
 * checksum field counts as eight spaces; the stored value is octal only
 * (parseOctal); Sun's signed-char sum is accepted too.
 * Returns -1 for an all-zero block, 0 for a bad checksum, 1 for a good one.
 */
export function checkBlock(buf: Uint8Array, off: number): -1 | 0 | 1 {
  // Unrolled: this loop is most of the per-entry cost on small-file layers.
  let raw = 0;
  for (let i = off, e = off + BLOCK; i < e; i += 8) {
    raw += buf[i]! + buf[i + 1]! + buf[i + 2]! + buf[i + 3]! + buf[i + 4]! + buf[i + 5]! + buf[i + 6]! + buf[i + 7]!;
  }
  if (raw === 0) return -1;
  let field = 0;
  for (let i = off + 148; i < off + 156; i++) field += buf[i]!;
  const unsigned = raw - field + 8 * 0x20;
  const stored = parseOctal(buf, off + 148, 8);
  if (stored === unsigned) return 1;
  if (Number.isNaN(stored)) return 0;
  let high = 0;
  for (let i = off, e = off + BLOCK; i < e; i++) if (buf[i]! >= 0x80 && (i - off < 148 || i - off >= 156)) high++;
  return stored === unsigned - 256 * high ? 1 : 0;
}

/** The magic part of getFormat. */
export function formatOf(buf: Uint8Array, off: number): number {
  if (buf[off + 257] !== 0x75 || buf[off + 258] !== 0x73 || buf[off + 259] !== 0x74 ||
      buf[off + 260] !== 0x61 || buf[off + 261] !== 0x72) return FORMAT_V7;
  const m = buf[off + 262];
  if (m === 0) {
    const star = buf[off + 508] === 0x74 && buf[off + 509] === 0x61 && buf[off + 510] === 0x72 && buf[off + 511] === 0;
    return star ? FORMAT_STAR : FORMAT_USTAR;
  }
  return m === 0x20 && buf[off + 263] === 0x20 && buf[off + 264] === 0 ? FORMAT_GNU : FORMAT_V7;
}

/**
 * A NUL-terminated string field (parseString), decoded as a name. One pass
 * finds the NUL and checks for ASCII, the common case, which takes latin1.
 */
function stringField(buf: Uint8Array, off: number, len: number): string {
  const end = off + len;
  let ascii = true;
  let i = off;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c === 0) break;
    if (c >= 0x80) ascii = false;
  }
  if (i === off) return "";
  if (!ascii) return decodeName(buf, off, i);
  return (Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)).toString("latin1", off, i);
}

/** End of a NUL-terminated field (parseString). */
export function cstrEnd(buf: Uint8Array, off: number, len: number): number {
  const i = buf.indexOf(0, off);
  return i < 0 || i > off + len ? off + len : i;
}

function bad(what: string, at: number, base256: boolean): never {
  throw new LayerlintError("TAR_INVALID", `tar header field ${what} is not a valid number${base256 ? " (over 2^53)" : ""} at offset ${at}`);
}

/**
 * A numeric field Go parses (an error there fails the header). `exact`: the
 * value must also fit a JS number exactly, which Go's int64 may not; that is
 * stricter than Go, for ids, modes and device numbers no kernel accepts.
 */
function num(buf: Uint8Array, off: number, len: number, what: string, at: number, exact: boolean): number {
  const v = parseNumeric(buf, off, len);
  if (Number.isNaN(v) || (exact && !Number.isSafeInteger(v))) bad(what, at, (buf[off]! & 0x80) !== 0);
  return v;
}

/** The prefix a GNU header would have had from a pre-Go 1.8 writer: only when atime/ctime do not parse and it is ASCII. */
function gnuPrefixFallback(buf: Uint8Array, off: number): string {
  const atimeOk = buf[off + 345] === 0 || !Number.isNaN(parseNumeric(buf, off + 345, 12));
  const ctimeOk = buf[off + 357] === 0 || !Number.isNaN(parseNumeric(buf, off + 357, 12));
  if (atimeOk && ctimeOk) return "";
  const end = cstrEnd(buf, off + 345, 155);
  for (let i = off + 345; i < end; i++) if (buf[i]! >= 0x80) return "";
  return decodeName(buf, off + 345, end);
}

/**
 * readHeader for a block whose checksum passed `checkBlock`. `at` is the
 * block's archive offset, for messages. `size` is as stored; callers merge
 * meta headers, then `finishHeader` settles the type and the data bytes.
 */
export function decodeHeader(buf: Uint8Array, off: number, at: number): TarHeader {
  const format = formatOf(buf, off);
  const typeflag = buf[off + 156]!;
  let name = stringField(buf, off, 100);
  const linkname = stringField(buf, off + 157, 100);
  // Size may be rounded here: it only has to be exact if the entry carries data (finishHeader).
  const size = num(buf, off + 124, 12, "size", at, false);
  const mode = num(buf, off + 100, 8, "mode", at, true);
  const uid = num(buf, off + 108, 8, "uid", at, true);
  const gid = num(buf, off + 116, 8, "gid", at, true);
  const mtime = num(buf, off + 136, 12, "mtime", at, false);
  if (format === FORMAT_V7) {
    // V7 headers end at offset 257: no uname/gname/devices/prefix.
    return { name, linkname, type: typeOfFlag(typeflag), typeflag, mode: mode & 0o7777, uid, gid, size, mtime, uname: "", gname: "", devmajor: 0, devminor: 0, xattrs: {}, sparse: false };
  }
  const uname = stringField(buf, off + 265, 32);
  const gname = stringField(buf, off + 297, 32);
  const devmajor = num(buf, off + 329, 8, "devmajor", at, true);
  const devminor = num(buf, off + 337, 8, "devminor", at, true);
  let prefix = "";
  if (format === FORMAT_USTAR) {
    if (buf[off + 345] !== 0) prefix = stringField(buf, off + 345, 155);
  } else if (format === FORMAT_STAR) {
    if (buf[off + 345] !== 0) prefix = stringField(buf, off + 345, 131);
    num(buf, off + 476, 12, "atime", at, false);
    num(buf, off + 488, 12, "ctime", at, false);
  } else if (buf[off + 345] !== 0 || buf[off + 357] !== 0) {
    prefix = gnuPrefixFallback(buf, off);
  }
  if (prefix !== "") name = `${prefix}/${name}`;
  return { name, linkname, type: typeOfFlag(typeflag), typeflag, mode: mode & 0o7777, uid, gid, size, mtime, uname, gname, devmajor, devminor, xattrs: {}, sparse: false };
}

/**
 * Go's first handleRegularFile, on the header as read (before any meta
 * header is merged): a negative size fails unless the type is header-only.
 */
export function checkStoredSize(h: TarHeader, at: number): void {
  if (h.size < 0 && !isHeaderOnly(h.type)) throw new LayerlintError("TAR_INVALID", `tar header size is negative at offset ${at}`);
}

/**
 * The end of Go's next() for a real entry, once meta headers are merged:
 * TypeRegA (NUL) with a trailing "/" (on the name before any GNU.sparse.name)
 * is a directory; '0' with a trailing "/" stays a file with data. Header-only
 * types carry no data (reported size 0). Returns the data bytes that follow.
 * `fromPax`: the size came from a PAX record, for the message.
 */
export function finishHeader(h: TarHeader, trailingSlash: boolean, fromPax: boolean, at: number): number {
  if (h.typeflag === 0 && trailingSlash) h.type = "dir";
  if (isHeaderOnly(h.type)) {
    h.size = 0;
    return 0;
  }
  if (h.size < 0) throw new LayerlintError("TAR_INVALID", `tar header size is negative at offset ${at}`);
  if (!Number.isSafeInteger(h.size)) {
    // Go would accept it and then fail reading that many bytes; no stream is that long.
    if (fromPax) throw new LayerlintError("TAR_INVALID", "invalid pax record: size is too large");
    bad("size", at, true);
  }
  return h.size;
}

/** Old-GNU sparse: header byte 482 says one more 512-byte map block follows. */
export function hasSparseExtension(buf: Uint8Array, off: number): boolean {
  return buf[off + 482] !== 0;
}

/** Old-GNU sparse extension block: byte 504 says yet another one follows. */
export function extensionContinues(buf: Uint8Array, off: number): boolean {
  return buf[off + 504] !== 0;
}

/** Content padding up to the next block boundary. */
export function padded(size: number): number {
  return size + ((BLOCK - (size % BLOCK)) % BLOCK);
}
