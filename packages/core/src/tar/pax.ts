/**
 * PAX extended-header records ("%d %s=%s\n", the length counting bytes),
 * parsed on raw bytes. tar-stream decodes every value as UTF-8 and so
 * corrupts binary `SCHILY.xattr.*` values such as security.capability
 * (SPECS.md §7, "Binary xattrs are corrupted"): here xattr values stay bytes.
 */
import { LayerlintError } from "../errors.js";
import type { TarHeader } from "./tar-header.js";

/** The records we act on. Absent = not given (or given empty, which POSIX treats as "unset"). */
export interface PaxInfo {
  path?: string;
  linkpath?: string;
  size?: number;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  mtime?: number;
  /** `SCHILY.xattr.<name>` values, keyed without the prefix. */
  xattrs?: Record<string, Uint8Array>;
  /** Any `GNU.sparse.*` record was seen (PAX sparse 0.x / 1.0). */
  sparse?: boolean;
  /** `GNU.sparse.name`: the real name of a PAX 1.0 sparse file. */
  sparseName?: string;
}

const XATTR = "SCHILY.xattr.";
const utf8 = new TextDecoder("utf-8");

function invalid(what: string): never {
  throw new LayerlintError("TAR_INVALID", `invalid pax record: ${what}`);
}

/** Decimal integer (optionally negative), or a decimal with a fraction for times. */
function parseDecimal(key: string, s: string, allowFraction: boolean): number {
  let i = 0;
  let neg = false;
  if (allowFraction && s.charCodeAt(0) === 0x2d) { neg = true; i = 1; }
  let v = 0;
  const start = i;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2e && allowFraction && i > start) break; // fraction of a second: dropped
    if (c < 0x30 || c > 0x39) invalid(`${key} has a non-numeric value`);
    v = v * 10 + (c - 0x30);
  }
  if (i === start) invalid(`${key} has a non-numeric value`);
  if (v > Number.MAX_SAFE_INTEGER) invalid(`${key} is too large`);
  let fraction = false;
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c < 0x30 || c > 0x39) invalid(`${key} has a non-numeric value`);
    if (c !== 0x30) fraction = true;
  }
  // Whole seconds, rounded down: -1.5 s is before -1 s.
  return neg ? -v - (fraction ? 1 : 0) : v;
}

/**
 * Parses the payload of an `x` or `g` header. Throws TAR_INVALID when a
 * record's length lies: non-numeric, zero, too small, past the buffer, or
 * not ending in "\n"; or when a record has no "=".
 */
export function parsePax(buf: Uint8Array): PaxInfo {
  const info: PaxInfo = {};
  let pos = 0;
  while (pos < buf.length) {
    // Length: decimal digits up to a space.
    let i = pos;
    let len = 0;
    while (i < buf.length && buf[i] !== 0x20) {
      const c = buf[i]!;
      if (c < 0x30 || c > 0x39) invalid(`record at byte ${pos} has a non-numeric length`);
      len = len * 10 + (c - 0x30);
      if (len > buf.length) invalid(`record at byte ${pos} runs past the end of the header`);
      i++;
    }
    if (i === pos || i === buf.length) invalid(`record at byte ${pos} has no length`);
    if (len === 0) invalid(`record at byte ${pos} has length zero`);
    const end = pos + len;
    if (end > buf.length) invalid(`record at byte ${pos} runs past the end of the header`);
    if (end <= i + 1 || buf[end - 1] !== 0x0a) invalid(`record at byte ${pos} does not end in a newline where its length says`);
    let eq = i + 1;
    while (eq < end - 1 && buf[eq] !== 0x3d) eq++;
    if (eq >= end - 1 || eq === i + 1) invalid(`record at byte ${pos} has no key=value`);
    const key = utf8.decode(buf.subarray(i + 1, eq));
    const raw = buf.subarray(eq + 1, end - 1);
    pos = end;
    if (key.startsWith(XATTR)) {
      // Kept raw; the walker's meta buffer is private, so a view is safe.
      if (raw.length > 0) (info.xattrs ??= {})[key.slice(XATTR.length)] = raw;
      continue;
    }
    if (key.startsWith("GNU.sparse.")) {
      info.sparse = true;
      if (key === "GNU.sparse.name" && raw.length > 0) info.sparseName = utf8.decode(raw);
      continue;
    }
    if (raw.length === 0) continue;
    switch (key) {
      case "path": info.path = utf8.decode(raw); break;
      case "linkpath": info.linkpath = utf8.decode(raw); break;
      case "uname": info.uname = utf8.decode(raw); break;
      case "gname": info.gname = utf8.decode(raw); break;
      case "size": info.size = parseDecimal(key, utf8.decode(raw), false); break;
      case "uid": info.uid = parseDecimal(key, utf8.decode(raw), false); break;
      case "gid": info.gid = parseDecimal(key, utf8.decode(raw), false); break;
      case "mtime": info.mtime = parseDecimal(key, utf8.decode(raw), true); break;
      default: break; // atime, ctime, comment, charset…: not needed.
    }
  }
  return info;
}

/** `later` overrides `earlier` key by key (a second `g` header, or `x` over `g`). */
export function mergePax(earlier: PaxInfo | undefined, later: PaxInfo): PaxInfo {
  if (!earlier) return later;
  const out: PaxInfo = { ...earlier, ...later };
  if (earlier.xattrs && later.xattrs) out.xattrs = { ...earlier.xattrs, ...later.xattrs };
  if (earlier.sparse || later.sparse) out.sparse = true;
  return out;
}

/** Applies the records to a decoded header (SPECS §7: tar-stream applies only path/linkpath/size). */
export function applyPax(h: TarHeader, p: PaxInfo): void {
  if (p.path !== undefined) h.name = p.path;
  if (p.sparseName !== undefined) h.name = p.sparseName;
  if (p.linkpath !== undefined) h.linkname = p.linkpath;
  if (p.size !== undefined) h.size = p.size;
  if (p.uid !== undefined) h.uid = p.uid;
  if (p.gid !== undefined) h.gid = p.gid;
  if (p.uname !== undefined) h.uname = p.uname;
  if (p.gname !== undefined) h.gname = p.gname;
  if (p.mtime !== undefined) h.mtime = p.mtime;
  if (p.xattrs) h.xattrs = { ...p.xattrs };
  if (p.sparse) h.sparse = true;
}
