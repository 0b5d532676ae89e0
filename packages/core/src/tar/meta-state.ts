/**
 * The meta headers (PAX `x`/`g`, GNU `L`/`K`) between two entries and how
 * they shape the next one, as Go's Reader.next() does
 * (https://github.com/golang/go/blob/master/src/archive/tar/reader.go).
 * Shared by the streaming walker and the file indexer.
 *
 * - `x`: its records replace any earlier pending ones wholesale (Go assigns
 *   `paxHdrs = parsePAX(tr)`); nothing is merged across headers.
 * - `g`: returned as an entry of its own (Typeflag 'g', its PAX records
 *   merged into its own header) and never applied to later entries. Pending
 *   `x`/`L`/`K` state is dropped: it lives in next()'s locals and `g` returns.
 * - `L`/`K`: the last one wins; an empty one (leading NUL) is not applied.
 * - On a real entry: PAX records, then GNU long name/link, then the TypeRegA
 *   trailing-slash rule, then GNU sparse (name and logical size).
 */
import { LayerlintError } from "../errors.js";
import { FLAG_GNU_LONGNAME, FLAG_GNU_SPARSE, FLAG_PAX_GLOBAL, FLAG_PAX_LOCAL, cstrEnd, finishHeader } from "./header-block.js";
import { decodeName } from "./names.js";
import { given, parseInt64, parsePax, paxInteger, paxTime, paxXattrs, type PaxRecords } from "./pax.js";
import { oldGnuSparse, paxSparse, paxSparseVersion, type SparsePlan } from "./sparse.js";
import type { TarHeader } from "./tar-header.js";

/** Go's maxSpecialFileSize: x, g, L and K payloads over 1 MiB fail (ErrFieldTooLong). */
export const DEFAULT_MAX_META_BYTES = 1 << 20;

/**
 * Linux's PATH_MAX is 4096 bytes with the terminating NUL
 * (https://github.com/torvalds/linux/blob/master/include/uapi/linux/limits.h):
 * no runtime can create, link or point a symlink at a longer path.
 */
const MAX_PATH_BYTES = 4095;

const EMPTY = new Uint8Array(0);

function metaName(flag: number): string {
  switch (flag) {
    case FLAG_PAX_LOCAL: return "pax header";
    case FLAG_PAX_GLOBAL: return "pax global header";
    case FLAG_GNU_LONGNAME: return "GNU long name";
    default: return "GNU long link";
  }
}

/** Decodes a name taken from a PAX record, GNU L/K or GNU.sparse.name, refusing what PATH_MAX forbids. */
function longName(raw: Uint8Array, what: string, at: number): string {
  if (raw.length > MAX_PATH_BYTES) {
    throw new LayerlintError(
      "LIMIT_EXCEEDED",
      `tar entry ${what} at offset ${at} is ${raw.length} bytes, over the ${MAX_PATH_BYTES + 1}-byte PATH_MAX (with its NUL) of Linux`,
    );
  }
  return decodeName(raw);
}

export class MetaState {
  private pax: PaxRecords | undefined;
  private gnuName: Uint8Array = EMPTY;
  private gnuLink: Uint8Array = EMPTY;
  /** Kind of the first pending x/L/K header; 0 when none (nothing to clear). */
  private pendingFlag = 0;
  /** Set by apply(): how the entry just applied is sparse, or undefined. */
  sparse: SparsePlan | undefined;

  constructor(private readonly maxBytes: number = DEFAULT_MAX_META_BYTES) {}

  /** Call with a meta header's size before buffering its payload. */
  admit(flag: number, size: number, at: number): void {
    if (size > this.maxBytes) {
      throw new LayerlintError(
        "LIMIT_EXCEEDED",
        `tar ${metaName(flag)} at offset ${at} is ${size} bytes, over the ${this.maxBytes}-byte limit for meta records`,
      );
    }
  }

  /**
   * Records a meta header's payload (exactly its size, owned by us from now
   * on). For `g`, returns the entry Go returns for it.
   */
  add(h: TarHeader, payload: Uint8Array, at: number): TarHeader | undefined {
    const flag = h.typeflag;
    if (flag === FLAG_PAX_GLOBAL) {
      const records = parsePax(payload);
      this.pax = undefined;
      this.gnuName = this.gnuLink = EMPTY;
      this.pendingFlag = 0;
      return globalEntry(h, records, at);
    }
    if (flag === FLAG_PAX_LOCAL) this.pax = parsePax(payload);
    else if (flag === FLAG_GNU_LONGNAME) this.gnuName = payload.subarray(0, cstrEnd(payload, 0, payload.length));
    else this.gnuLink = payload.subarray(0, cstrEnd(payload, 0, payload.length));
    if (this.pendingFlag === 0) this.pendingFlag = flag;
    return undefined;
  }

  /**
   * Shapes a real entry (decoded from block b at o) with the pending meta
   * headers, then clears them. Returns the data bytes stored after the
   * header (old-GNU sparse extension blocks not included); `sparse` says how
   * the entry is sparse.
   */
  apply(h: TarHeader, b: Uint8Array, o: number, at: number): number {
    const pax = this.pax;
    const gnuName = this.gnuName;
    const gnuLink = this.gnuLink;
    this.sparse = undefined;
    if (this.pendingFlag !== 0) {
      this.pax = undefined;
      this.gnuName = this.gnuLink = EMPTY;
      this.pendingFlag = 0;
    }
    if (pax === undefined && gnuName.length === 0 && gnuLink.length === 0) {
      const stored = finishHeader(h, h.name.endsWith("/"), false, at);
      if (h.typeflag === FLAG_GNU_SPARSE) this.sparse = oldGnuSparse(h, b, o, at);
      return stored;
    }
    if (pax) mergeValues(h, pax);
    const nameRaw = gnuName.length > 0 ? gnuName : given(pax?.path);
    const trailingSlash = nameRaw ? nameRaw[nameRaw.length - 1] === 0x2f : h.name.endsWith("/");
    const sparseName = h.typeflag !== FLAG_GNU_SPARSE && pax?.sparse ? sparseNameOf(pax.sparse) : undefined;
    const finalName = sparseName ?? nameRaw;
    if (finalName) h.name = longName(finalName, "name", at);
    const linkRaw = gnuLink.length > 0 ? gnuLink : given(pax?.linkpath);
    if (linkRaw) h.linkname = longName(linkRaw, "link name", at);
    const stored = finishHeader(h, trailingSlash, given(pax?.size) !== undefined, at);
    if (h.typeflag === FLAG_GNU_SPARSE) this.sparse = oldGnuSparse(h, b, o, at);
    else if (pax?.sparse) this.sparse = paxSparse(h, pax.sparse, at);
    return stored;
  }
}

/** mergePAX for everything but names: later validation errors fail the entry, as in Go. */
function mergeValues(h: TarHeader, p: PaxRecords): void {
  let v: Uint8Array | undefined;
  if ((v = given(p.uname))) h.uname = decodeName(v);
  if ((v = given(p.gname))) h.gname = decodeName(v);
  if ((v = given(p.uid))) h.uid = paxInteger("uid", v);
  if ((v = given(p.gid))) h.gid = paxInteger("gid", v);
  if ((v = given(p.size))) {
    const n = parseInt64(v);
    if (n === undefined) throw new LayerlintError("TAR_INVALID", "invalid pax record: size is not a decimal integer");
    h.size = Number(n); // exactness is checked once the type is settled (header-only types ignore it)
  }
  if ((v = given(p.mtime))) h.mtime = paxTime("mtime", v);
  if ((v = given(p.atime))) paxTime("atime", v);
  if ((v = given(p.ctime))) paxTime("ctime", v);
  if (p.xattrs) h.xattrs = paxXattrs(p);
}

/** GNU.sparse.name, when the records make the entry sparse at all. */
function sparseNameOf(records: Map<string, Uint8Array>): Uint8Array | undefined {
  return paxSparseVersion(records) !== 0 ? given(records.get("name")) : undefined;
}

/** Whether Go's mergePAX would fail on these records (bad uid, gid, size or time). */
function mergeFails(p: PaxRecords): boolean {
  for (const v of [p.uid, p.gid, p.size]) if (given(v) && parseInt64(v!) === undefined) return true;
  for (const v of [p.mtime, p.atime, p.ctime]) {
    if (!given(v)) continue;
    try {
      paxTime("time", v!);
    } catch {
      return true;
    }
  }
  return false;
}

/**
 * The entry Go returns for a `g` header: its own name (or the records'
 * path), its xattrs, nothing else. Go merges the records into it but ignores
 * the merge's error; since it walks the records in random map order, a path
 * next to an invalid value is applied or not at random. We refuse that
 * (an error), and report no xattrs when the merge fails.
 */
function globalEntry(h: TarHeader, p: PaxRecords, at: number): TarHeader {
  const path = given(p.path);
  const fails = mergeFails(p);
  if (path && fails) {
    throw new LayerlintError("TAR_INVALID", `tar pax global header at offset ${at} has a path and an invalid value: Go applies the path or not at random`);
  }
  return {
    name: path ? longName(path, "name", at) : h.name,
    linkname: "",
    type: "pax-global",
    typeflag: h.typeflag,
    mode: 0,
    uid: 0,
    gid: 0,
    size: 0,
    mtime: 0,
    uname: "",
    gname: "",
    devmajor: 0,
    devminor: 0,
    // With a failing merge Go keeps a random subset of them; no runtime applies a g entry's xattrs.
    xattrs: p.xattrs && !fails ? paxXattrs(p) : {},
    sparse: false,
  };
}
