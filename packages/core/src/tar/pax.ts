/**
 * PAX extended-header records ("%d %s=%s\n", the length counting bytes),
 * parsed on raw bytes exactly as Go's archive/tar does, because containerd,
 * moby, podman and buildkit apply layers with it:
 * https://github.com/golang/go/blob/master/src/archive/tar/reader.go (parsePAX,
 * mergePAX) and https://github.com/golang/go/blob/master/src/archive/tar/strconv.go
 * (parsePAXRecord, validPAXRecord, parsePAXTime).
 *
 * Parsing only checks record syntax; values are checked when the records are
 * merged into an entry (`mergePax`), as in Go, where an `x` header dropped by
 * a following `g` header never has its values looked at.
 */
import { LayerlintError } from "../errors.js";
import { decodeName } from "./names.js";

/** Records of one `x` or `g` header. Later duplicates have already won. Values are raw bytes (views of the payload). */
export interface PaxRecords {
  path?: Uint8Array;
  linkpath?: Uint8Array;
  uname?: Uint8Array;
  gname?: Uint8Array;
  uid?: Uint8Array;
  gid?: Uint8Array;
  size?: Uint8Array;
  mtime?: Uint8Array;
  atime?: Uint8Array;
  ctime?: Uint8Array;
  /** `SCHILY.xattr.<name>` values keyed by the decoded name, empty values included (merge skips them). */
  xattrs?: Map<string, Uint8Array>;
  /** `GNU.sparse.*` records keyed by the part after the prefix (offset/numbytes folded into "map"). */
  sparse?: Map<string, Uint8Array>;
}

const XATTR = "SCHILY.xattr.";
const SPARSE = "GNU.sparse.";

function invalidPax(what: string): never {
  throw new LayerlintError("TAR_INVALID", `invalid pax record: ${what}`);
}

/**
 * strconv.ParseInt(s, 10, 64): optional sign, then one or more decimal digits,
 * within int64. Returns undefined where Go returns an error.
 * https://pkg.go.dev/strconv#ParseInt
 */
export function parseInt64(b: Uint8Array, start = 0, end = b.length): bigint | undefined {
  let i = start;
  const sign = b[i];
  if (sign === 0x2b || sign === 0x2d) i++;
  if (i === end) return undefined;
  let small = 0;
  for (let j = i; j < end; j++) {
    const c = b[j]!;
    if (c < 0x30 || c > 0x39) return undefined;
    small = small * 10 + (c - 0x30);
  }
  let v: bigint;
  if (small <= Number.MAX_SAFE_INTEGER) v = BigInt(small);
  else {
    v = 0n;
    for (let j = i; j < end; j++) v = v * 10n + BigInt(b[j]! - 0x30);
  }
  if (sign === 0x2d) v = -v;
  return v < -(1n << 63n) || v >= 1n << 63n ? undefined : v;
}

/** ParseInt as a JS number, exact (within 2^53) or an error naming `key`. */
export function paxInteger(key: string, raw: Uint8Array): number {
  const v = parseInt64(raw);
  if (v === undefined) invalidPax(`${key} is not a decimal integer`);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) invalidPax(`${key} is too large`);
  return Number(v);
}

/**
 * parsePAXTime: "%d" or "%d.%d" (any number of fraction digits). Returns whole
 * seconds rounded down, as time.Unix(secs, -nsecs) normalises "-1.5" to -2.
 */
export function paxTime(key: string, raw: Uint8Array): number {
  let dot = raw.indexOf(0x2e);
  if (dot < 0) dot = raw.length;
  const secs = parseInt64(raw, 0, dot);
  if (secs === undefined) invalidPax(`${key} is not a valid time`);
  let fraction = false;
  for (let i = dot + 1; i < raw.length; i++) {
    const c = raw[i]!;
    if (c < 0x30 || c > 0x39) invalidPax(`${key} is not a valid time`);
    if (c !== 0x30 && i - dot <= 9) fraction = true; // Go keeps nine digits (nanoseconds)
  }
  return Number(secs) - (fraction && raw[0] === 0x2d ? 1 : 0);
}

/** Latin-1 text of b[s..e): PAX keywords are compared as bytes, and every keyword we act on is ASCII. */
function latin1(b: Uint8Array, s: number, e: number): string {
  return (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)).toString("latin1", s, e);
}

function hasNul(b: Uint8Array, s: number, e: number): boolean {
  const i = b.indexOf(0, s);
  return i >= 0 && i < e;
}

/**
 * Parses the payload of an `x` or `g` header (parsePAX). Every byte must
 * belong to a record: lengths are decimal (sign allowed, as ParseInt does),
 * at least 5, within the payload, and the record ends in "\n" where its length
 * says; the first "=" splits key from value; the key is non-empty and
 * NUL-free; path/linkpath/uname/gname values are NUL-free.
 */
export function parsePax(buf: Uint8Array): PaxRecords {
  const r: PaxRecords = {};
  let sparseMap: Uint8Array[] | undefined; // GNU sparse 0.0 offset/numbytes pairs
  let pos = 0;
  while (pos < buf.length) {
    const sp = buf.indexOf(0x20, pos);
    if (sp < 0) invalidPax(`record at byte ${pos} has no length`);
    const n = parseInt64(buf, pos, sp);
    if (n === undefined || n < 5n || n > BigInt(buf.length - pos)) {
      invalidPax(n !== undefined && n > BigInt(buf.length - pos) ? `record at byte ${pos} runs past the end of the header` : `record at byte ${pos} has an invalid length`);
    }
    const end = pos + Number(n);
    if (end <= sp + 1 || buf[end - 1] !== 0x0a) invalidPax(`record at byte ${pos} does not end in a newline where its length says`);
    const ks = sp + 1;
    let eq = buf.indexOf(0x3d, ks);
    if (eq < 0 || eq >= end - 1) invalidPax(`record at byte ${pos} has no key=value`);
    if (eq === ks) invalidPax(`record at byte ${pos} has an empty key`);
    const key = latin1(buf, ks, eq);
    const value = buf.subarray(eq + 1, end - 1);
    const stringField = key === "path" || key === "linkpath" || key === "uname" || key === "gname";
    if (stringField ? value.includes(0) : hasNul(buf, ks, eq)) invalidPax(`record at byte ${pos} has a NUL byte in ${stringField ? "its value" : "its key"}`);
    pos = end;
    switch (key) {
      case "path": r.path = value; break;
      case "linkpath": r.linkpath = value; break;
      case "uname": r.uname = value; break;
      case "gname": r.gname = value; break;
      case "uid": r.uid = value; break;
      case "gid": r.gid = value; break;
      case "size": r.size = value; break;
      case "mtime": r.mtime = value; break;
      case "atime": r.atime = value; break;
      case "ctime": r.ctime = value; break;
      case "GNU.sparse.offset":
      case "GNU.sparse.numbytes": {
        // GNU sparse 0.0: pairs in order, folded into GNU.sparse.map (parsePAX).
        const count = sparseMap?.length ?? 0;
        if ((count % 2 === 0) !== (key === "GNU.sparse.offset") || value.includes(0x2c)) {
          invalidPax(`GNU sparse 0.0 record at byte ${ks - 1} is out of order`);
        }
        (sparseMap ??= []).push(value);
        break;
      }
      default:
        if (key.startsWith(XATTR)) {
          // Copied (Buffer#slice would be a view): a view would keep the whole
          // payload, up to 1 MiB, alive as long as the entry.
          (r.xattrs ??= new Map()).set(decodeName(buf, ks + XATTR.length, eq), new Uint8Array(value));
        } else if (key.startsWith(SPARSE)) {
          (r.sparse ??= new Map()).set(key.slice(SPARSE.length), value);
        }
        break; // comment, charset, hdrcharset and others: ignored, as in Go.
    }
  }
  if (sparseMap) {
    const joined: number[] = [];
    sparseMap.forEach((v, i) => { if (i > 0) joined.push(0x2c); for (const c of v) joined.push(c); });
    (r.sparse ??= new Map()).set("map", Uint8Array.from(joined));
  }
  return r;
}

/** A non-empty value, or undefined: mergePAX keeps the ustar field when a value is empty. */
export function given(v: Uint8Array | undefined): Uint8Array | undefined {
  return v !== undefined && v.length > 0 ? v : undefined;
}

/** `SCHILY.xattr.*` with non-empty values (mergePAX's Xattrs), keyed without the prefix. */
export function paxXattrs(r: PaxRecords): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  if (r.xattrs) for (const [k, v] of r.xattrs) if (v.length > 0) out[k] = v;
  return out;
}
