/**
 * Decoding of one 512-byte tar header block (SPECS.md §7). Pure functions over
 * a Buffer + offset so the walker can decode in place inside a source chunk
 * (no copy) or from its small carry buffer when a header straddles chunks.
 */
import { LayerlintError } from "../errors.js";
import type { TarHeader, TarType } from "./tar-header.js";

export const BLOCK = 512;

/** Typeflags of meta headers: they describe the next entry and are never reported. */
export const FLAG_PAX_LOCAL = 0x78; // 'x'
export const FLAG_PAX_GLOBAL = 0x67; // 'g'
export const FLAG_GNU_LONGNAME = 0x4c; // 'L'
export const FLAG_GNU_LONGLINK = 0x4b; // 'K'
export const FLAG_GNU_SPARSE = 0x53; // 'S'

export function isMetaFlag(flag: number): boolean {
  return flag === FLAG_PAX_LOCAL || flag === FLAG_PAX_GLOBAL || flag === FLAG_GNU_LONGNAME || flag === FLAG_GNU_LONGLINK;
}

/** Typeflag → entry kind (SPECS §7 "Type mapping"). */
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
    default: return "unknown";
  }
}

/**
 * Bytes of content that follow a header of this type. Like Go's archive/tar
 * (used by containerd and moby to apply layers), link, device, dir and fifo
 * headers carry no data whatever their size field says: following the runtime
 * keeps us in step with what actually gets extracted.
 */
export function carriesData(type: TarType): boolean {
  return type === "file" || type === "contiguous" || type === "gnu-sparse" || type === "unknown";
}

/**
 * Reads a numeric field: octal text (leading spaces/NULs allowed, ended by
 * space or NUL), or GNU base-256 when the first byte is 0x80 (positive) or
 * 0xFF (negative, two's complement). Returns NaN for anything else, or for a
 * value that JS numbers cannot hold exactly (> 2^53).
 */
export function readNumber(buf: Uint8Array, off: number, len: number): number {
  const first = buf[off]!;
  if (first === 0x80 || first === 0xff) {
    const neg = first === 0xff;
    let v = 0;
    for (let i = off + 1; i < off + len; i++) {
      v = v * 256 + (neg ? 255 - buf[i]! : buf[i]!);
      if (v > Number.MAX_SAFE_INTEGER) return NaN;
    }
    return neg ? -(v + 1) : v;
  }
  const end = off + len;
  let i = off;
  while (i < end && (buf[i] === 0x20 || buf[i] === 0)) i++;
  let v = 0;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c === 0x20 || c === 0) break;
    if (c < 0x30 || c > 0x37) return NaN;
    v = v * 8 + (c - 0x30);
  }
  // Only trailing spaces/NULs may follow the digits.
  for (; i < end; i++) if (buf[i] !== 0x20 && buf[i] !== 0) return NaN;
  return v;
}

/**
 * Decodes a NUL-terminated string field. Names are UTF-8 in practice (PAX
 * mandates it; GNU tar writes raw file-system bytes); pure ASCII, the common
 * case, takes the cheaper latin1 path. The scan doubles as the ASCII check.
 */
export function readString(buf: Buffer, off: number, len: number): string {
  const end = off + len;
  let ascii = true;
  let i = off;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c === 0) break;
    if (c >= 0x80) ascii = false;
  }
  if (i === off) return "";
  return buf.toString(ascii ? "latin1" : "utf8", off, i);
}

/** 0: not a header; 1: POSIX ustar; 2: GNU ("ustar  \0"); 3: star (ustar + "tar\0" at 508). v7 = 0. */
function formatOf(buf: Uint8Array, off: number): number {
  if (buf[off + 257] !== 0x75 || buf[off + 258] !== 0x73 || buf[off + 259] !== 0x74 ||
      buf[off + 260] !== 0x61 || buf[off + 261] !== 0x72) return 0;
  const m = buf[off + 262];
  if (m === 0x20) return 2;
  if (m !== 0) return 0;
  return buf[off + 508] === 0x74 && buf[off + 509] === 0x61 && buf[off + 510] === 0x72 && buf[off + 511] === 0 ? 3 : 1;
}

function field(buf: Uint8Array, off: number, len: number, what: string, at: number): number {
  const v = readNumber(buf, off, len);
  if (Number.isNaN(v)) {
    // Base-256 fields parse but may exceed 2^53 (e.g. a size claiming 8 EiB): say so.
    const big = buf[off] === 0x80 || buf[off] === 0xff;
    throw new LayerlintError("TAR_INVALID", `tar header field ${what} is not a valid number${big ? " (over 2^53)" : ""} at offset ${at}`);
  }
  return v;
}

/**
 * Sums the block for the checksum and the all-zero test in one pass. The
 * checksum field (148..155) counts as eight spaces. Old tars (and some Sun
 * ones) summed signed chars, so the signed sum is accepted as well.
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
  const stored = readNumber(buf, off + 148, 8);
  if (stored === unsigned) return 1;
  let high = 0;
  for (let i = off, e = off + BLOCK; i < e; i++) if (buf[i]! >= 0x80 && (i - off < 148 || i - off >= 156)) high++;
  return stored === unsigned - 256 * high ? 1 : 0;
}

/**
 * Decodes a header block whose checksum already passed `checkBlock`. `at` is
 * the block's offset in the archive, for error messages. The result has
 * `size` as stored in the header; callers apply meta headers, then
 * `finishHeader` to settle the type and the number of content bytes.
 */
export function decodeHeader(buf: Buffer, off: number, at: number): TarHeader {
  const format = formatOf(buf, off);
  let name = readString(buf, off, 100);
  if (format === 1 || format === 3) {
    // POSIX ustar prefix (offset 345; 131 bytes in star, where atime/ctime follow).
    if (buf[off + 345] !== 0) name = `${readString(buf, off + 345, format === 3 ? 131 : 155)}/${name}`;
  }
  const typeflag = buf[off + 156]!;
  const size = field(buf, off + 124, 12, "size", at);
  if (size < 0) throw new LayerlintError("TAR_INVALID", `tar header size is negative at offset ${at}`);
  const ext = format !== 0; // v7 headers end at offset 257: no uname/gname/devices.
  return {
    name,
    linkname: readString(buf, off + 157, 100),
    type: typeOfFlag(typeflag),
    typeflag,
    mode: field(buf, off + 100, 8, "mode", at) & 0o7777,
    uid: field(buf, off + 108, 8, "uid", at),
    gid: field(buf, off + 116, 8, "gid", at),
    size,
    mtime: field(buf, off + 136, 12, "mtime", at),
    uname: ext ? readString(buf, off + 265, 32) : "",
    gname: ext ? readString(buf, off + 297, 32) : "",
    devmajor: ext ? field(buf, off + 329, 8, "devmajor", at) : 0,
    devminor: ext ? field(buf, off + 337, 8, "devminor", at) : 0,
    xattrs: {},
    sparse: typeflag === FLAG_GNU_SPARSE,
  };
}

/**
 * Settles the type once the final name is known (meta headers applied) and
 * returns the number of content bytes that follow (the header's size, or 0
 * for types that carry no data, whose size is then reported as 0).
 * Typeflag '0'/NUL with a trailing "/" is a directory (pre-POSIX tars).
 */
export function finishHeader(h: TarHeader): number {
  if (h.type === "file" && h.name.endsWith("/")) h.type = "dir";
  if (!carriesData(h.type)) h.size = 0;
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
