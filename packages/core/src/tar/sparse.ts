/**
 * GNU sparse files, read as Go's archive/tar reads them
 * (https://github.com/golang/go/blob/master/src/archive/tar/reader.go:
 * handleSparseFile, readOldGNUSparseMap, readGNUSparsePAXHeaders,
 * readGNUSparseMap1x0, readGNUSparseMap0x1; validateSparseEntries in
 * https://github.com/golang/go/blob/master/src/archive/tar/common.go).
 *
 * We never rebuild the logical content (holes are zeros, data comes from the
 * stored fragments); we only decide what Go decides: whether an entry is
 * sparse, its logical size and name, whether its map is valid, and whether
 * the stored bytes match the map. Values are int64 in Go, so BigInt here.
 */
import { LayerlintError } from "../errors.js";
import { formatOf, FORMAT_GNU, hasSparseExtension, isHeaderOnly, parseNumericBig } from "./header-block.js";
import { given, parseInt64 } from "./pax.js";
import type { TarHeader } from "./tar-header.js";

const MAX_INT64 = (1n << 63n) - 1n;

export function invalidSparse(what: string, at: number): never {
  throw new LayerlintError("TAR_INVALID", `tar GNU sparse entry at offset ${at}: ${what}`);
}

/**
 * Checks a sparse map entry by entry (validateSparseEntries) and sums the
 * stored bytes it refers to. Sparse reads in Go fail unless the stored data
 * is exactly that long (errMissData, errUnrefData), and every runtime reads
 * the content of a regular file it extracts.
 */
export class SparseMap {
  private prevEnd = 0n;
  private valid: boolean;
  /** Stored bytes the fragments refer to. */
  data = 0n;

  constructor(readonly size: bigint) {
    this.valid = size >= 0n;
  }

  add(offset: bigint, length: bigint): void {
    if (!this.valid) return;
    if (offset < 0n || length < 0n || offset > MAX_INT64 - length || offset + length > this.size || this.prevEnd > offset) {
      this.valid = false;
      return;
    }
    this.prevEnd = offset + length;
    this.data += length;
  }

  /** After the last entry: the map is valid for this entry (Go: ErrHeader otherwise). */
  check(at: number): void {
    if (!this.valid) invalidSparse("its sparse map has negative, overlapping or out-of-range fragments", at);
  }

  /** Once the map is read: the stored bytes left must be exactly the fragments' total. */
  checkStored(stored: number, at: number): void {
    if (BigInt(stored) !== this.data) {
      invalidSparse(`its map refers to ${this.data} stored bytes but ${stored} are stored`, at);
    }
  }
}

/**
 * Old GNU sparse entries of a header (4 at offset 386) or an extension block
 * (21 at offset 0): 12-byte offset and length, ending at the first entry
 * whose offset field starts with NUL. Numbers as parseNumeric.
 */
export function addOldGnuEntries(map: SparseMap, b: Uint8Array, o: number, count: number, at: number): void {
  for (let i = 0; i < count; i++) {
    const e = o + i * 24;
    if (b[e] === 0) return;
    const offset = parseNumericBig(b, e, 12);
    const length = parseNumericBig(b, e + 12, 12);
    if (offset === undefined || length === undefined) invalidSparse("a sparse map number is not valid", at);
    map.add(offset, length);
  }
}

/** readGNUSparseMap0x1: GNU.sparse.numblocks pairs in GNU.sparse.map, "offset,length,...". */
function readMap0x1(records: Map<string, Uint8Array>, size: bigint, at: number): SparseMap {
  const num = parseInt64(records.get("numblocks") ?? new Uint8Array(0));
  if (num === undefined || num < 0n || num > MAX_INT64 / 2n) invalidSparse("GNU.sparse.numblocks is not a valid count", at);
  const raw = records.get("map") ?? new Uint8Array(0);
  const map = new SparseMap(size);
  let count = 0n;
  let start = 0;
  let offset: bigint | undefined;
  // strings.Split(map, ","), with "" meaning no entries.
  for (let i = 0; raw.length > 0 && i <= raw.length; i++) {
    if (i < raw.length && raw[i] !== 0x2c) continue;
    const v = parseInt64(raw, start, i);
    start = i + 1;
    count++;
    if (count > 2n * num) invalidSparse("GNU.sparse.map does not hold GNU.sparse.numblocks pairs", at);
    if (v === undefined) invalidSparse("GNU.sparse.map holds a value that is not a decimal integer", at);
    if (offset === undefined) offset = v;
    else {
      map.add(offset, v);
      offset = undefined;
    }
  }
  if (count !== 2n * num) invalidSparse("GNU.sparse.map does not hold GNU.sparse.numblocks pairs", at);
  return map;
}

/** How a sparse entry's map is still to be read. */
export interface SparsePlan {
  /** Complete once `extension` blocks or the `reader`'s blocks have been fed. */
  map: SparseMap;
  /** Old GNU: extension blocks of 21 more entries follow the header. */
  extension: boolean;
  /** PAX 1.0: the map fills the first blocks of the stored data. */
  reader: Map1x0Reader | undefined;
}

/** The logical size Go reports; it must be exact here to be reported at all. */
function setLogicalSize(h: TarHeader, size: bigint, at: number): void {
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) invalidSparse(`its logical size ${size} is over 2^53`, at);
  h.size = Number(size);
  h.sparse = true;
}

/** readOldGNUSparseMap for an 'S' header: GNU format only; the size is the real size at 483. */
export function oldGnuSparse(h: TarHeader, b: Uint8Array, o: number, at: number): SparsePlan {
  // Star's sparse header shares the typeflag with another layout: Go refuses it.
  if (formatOf(b, o) !== FORMAT_GNU) invalidSparse("typeflag 'S' in a header that is not GNU format", at);
  const real = parseNumericBig(b, o + 483, 12);
  if (real === undefined) invalidSparse("its real size is not a valid number", at);
  const map = new SparseMap(real);
  addOldGnuEntries(map, b, o + 386, 4, at);
  setLogicalSize(h, real, at);
  const extension = hasSparseExtension(b, o);
  if (!extension) map.check(at);
  return { map, extension, reader: undefined };
}

/**
 * readGNUSparsePAXHeaders' version test: 1 for 0.0/0.1 (explicit, or a
 * non-empty GNU.sparse.map without version records), 2 for 1.0, 0 when the
 * entry is not sparse (no records, or an unknown version).
 */
export function paxSparseVersion(records: Map<string, Uint8Array>): 0 | 1 | 2 {
  const is = (v: Uint8Array | undefined, c: number): boolean => v !== undefined && v.length === 1 && v[0] === c;
  const major = records.get("major");
  const minor = records.get("minor");
  if (is(major, 0x30) && (is(minor, 0x30) || is(minor, 0x31))) return 1;
  if (is(major, 0x31) && is(minor, 0x30)) return 2;
  if (given(major) || given(minor)) return 0;
  return given(records.get("map")) ? 1 : 0;
}

/**
 * readGNUSparsePAXHeaders for any other typeflag: size from GNU.sparse.size,
 * else GNU.sparse.realsize (GNU.sparse.name was applied with the other
 * names). undefined when the records do not make the entry sparse.
 */
export function paxSparse(h: TarHeader, records: Map<string, Uint8Array>, at: number): SparsePlan | undefined {
  const version = paxSparseVersion(records);
  if (version === 0) return undefined;
  let size = BigInt(h.size);
  const raw = given(records.get("size")) ?? given(records.get("realsize"));
  if (raw) {
    const n = parseInt64(raw);
    if (n === undefined) invalidSparse("GNU.sparse.size is not a decimal integer", at);
    size = n;
  }
  // Go: ErrHeader for 0.x, and no data to read the 1.0 map from.
  if (isHeaderOnly(h.type)) invalidSparse("a sparse map on a type that has no data", at);
  if (version === 2) {
    const reader = new Map1x0Reader(size, at);
    setLogicalSize(h, size, at);
    return { map: reader.map, extension: false, reader };
  }
  const map = readMap0x1(records, size, at);
  map.check(at);
  setLogicalSize(h, size, at);
  return { map, extension: false, reader: undefined };
}

/**
 * readGNUSparseMap1x0, fed one 512-byte block at a time from the start of the
 * entry's stored data: newline-ended decimal tokens, the count first, then
 * offset/length pairs. Go reads whole blocks until it holds enough newlines,
 * so the map occupies every block up to the one holding its last newline.
 * Tokens are parsed as they stream, so a huge token costs no memory.
 */
export class Map1x0Reader {
  private token = new Token();
  private entries = -1n; // pairs announced by the count token; -1 before it
  private seen = 0n; // tokens after the count
  private pending: bigint | undefined;
  readonly map: SparseMap;

  constructor(size: bigint, private readonly at: number) {
    this.map = new SparseMap(size);
  }

  /** Consumes one block; true once the map is complete (the rest of this block is padding). */
  block(b: Uint8Array, o: number): boolean {
    let done = false;
    for (let i = o; i < o + 512; i++) {
      const c = b[i]!;
      if (c !== 0x0a) {
        if (!done) this.token.push(c);
        continue;
      }
      if (done) continue;
      const v = this.token.end();
      if (this.entries < 0n) {
        if (v === undefined || v < 0n || v > MAX_INT64 / 2n) invalidSparse("its PAX 1.0 sparse map count is not valid", this.at);
        this.entries = v;
      } else {
        if (v === undefined) invalidSparse("its PAX 1.0 sparse map holds a value that is not a decimal integer", this.at);
        if (this.pending === undefined) this.pending = v;
        else {
          this.map.add(this.pending, v);
          this.pending = undefined;
        }
        this.seen++;
      }
      if (this.seen === 2n * this.entries) done = true;
    }
    return done;
  }
}

/** strconv.ParseInt(token, 10, 64), one byte at a time: leading zeros are dropped, so memory stays constant. */
class Token {
  private len = 0;
  private digits = 0;
  private bad = false;
  private neg = false;
  private significant = "";

  push(c: number): void {
    if (this.len++ === 0 && (c === 0x2b || c === 0x2d)) {
      this.neg = c === 0x2d;
      return;
    }
    if (c < 0x30 || c > 0x39) this.bad = true;
    if (this.bad) return;
    this.digits++;
    if (c === 0x30 && this.significant === "") return;
    // int64 has 19 digits: a 20th significant one is out of range.
    if (this.significant.length > 19) this.bad = true;
    else this.significant += String.fromCharCode(c);
  }

  end(): bigint | undefined {
    let v: bigint | undefined;
    if (!this.bad && this.digits > 0) {
      v = BigInt(this.significant || "0");
      if (this.neg) v = -v;
      if (v < -(1n << 63n) || v > MAX_INT64) v = undefined;
    }
    this.len = this.digits = 0;
    this.bad = this.neg = false;
    this.significant = "";
    return v;
  }
}
