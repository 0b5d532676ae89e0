/**
 * Entry kinds as a tar typeflag gives them (POSIX ustar, GNU, PAX), after
 * Go's archive/tar has settled them
 * (https://github.com/golang/go/blob/master/src/archive/tar/reader.go):
 * TypeRegA (NUL) is "file", or "dir" when its name ends in "/".
 */
export type TarType =
  | "file"
  | "hardlink"
  | "symlink"
  | "char"
  | "block"
  | "dir"
  | "fifo"
  | "contiguous"
  | "gnu-sparse"
  /**
   * A PAX global header (`g`). Go's Reader.Next returns it as an entry and
   * never applies it to later entries; containerd and moby ignore it when
   * creating files, but run their usual per-entry steps on its name first.
   * Only `name` (its PAX path, if any) and `xattrs` are set; it has no data.
   */
  | "pax-global"
  /** Any other typeflag: Go returns it with its data; runtimes refuse it ("unhandled tar header type"). */
  | "unknown";

/**
 * One entry as Go's Reader.Next returns it: PAX (`x`) and GNU (`L`, `K`)
 * meta headers merged in. Meta headers themselves are never reported,
 * except `g` (type "pax-global").
 *
 * Names are bytes: `name`, `linkname`, `uname` and `gname` are decoded with
 * surrogate escape (names.ts), so invalid UTF-8 stays distinct and
 * `encodeName` gives the bytes back.
 */
export interface TarHeader {
  /** Name exactly as Go reports it (ustar prefix joined, PAX path / GNU long name / GNU.sparse.name applied); not cleaned. */
  name: string;
  /** Link target as stored (PAX linkpath / GNU K applied); "" when none. */
  linkname: string;
  type: TarType;
  /** The raw typeflag byte (48 = '0', 0 = NUL), for diagnostics. */
  typeflag: number;
  /**
   * Permission bits masked to 0o7777, so setuid/setgid/sticky survive. Go's
   * FileInfo().Mode() keeps exactly these bits.
   */
  mode: number;
  /**
   * Owner ids as Go reads them (int64; here exact within ±2^53, larger is an
   * error). May be negative: runtimes pass them to lchown(2), where the
   * kernel takes the low 32 bits and (uid_t)-1 means "unchanged" (so owned by
   * the unpacking root).
   */
  uid: number;
  gid: number;
  /**
   * Content size: the data bytes that follow the header (0 for header-only
   * types and pax-global). For a sparse entry, the logical (real) size the
   * runtime's file gets, not the bytes stored.
   */
  size: number;
  mtime: number;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
  /** `SCHILY.xattr.*` PAX records with non-empty values, as raw bytes, keyed without the prefix. */
  xattrs: Record<string, Uint8Array>;
  /**
   * Go reads this entry as sparse: an old-GNU `S` header, or PAX GNU.sparse
   * records with a version (0.0, 0.1, 1.0) or a map. Its stored bytes are not
   * its content, so the walker never hands them over.
   */
  sparse: boolean;
}
