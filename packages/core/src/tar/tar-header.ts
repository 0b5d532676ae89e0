/** Entry kinds as a tar typeflag gives them (POSIX ustar, GNU, PAX). */
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
  | "unknown";

/**
 * One tar entry's metadata after PAX (`x`, `g`) and GNU (`L`, `K`) extension
 * headers have been applied. Meta entries themselves are never reported.
 */
export interface TarHeader {
  /** Name exactly as stored (ustar prefix joined, PAX/GNU long name applied); not canonicalised. */
  name: string;
  /** Link target as stored (PAX linkpath / GNU K applied); "" when none. */
  linkname: string;
  type: TarType;
  /** The raw typeflag character code (48 = '0'), for diagnostics. */
  typeflag: number;
  /** Permission bits masked to 0o7777, so setuid/setgid/sticky survive. */
  mode: number;
  uid: number;
  gid: number;
  /** Content bytes that follow the header in the stream. */
  size: number;
  mtime: number;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
  /** `SCHILY.xattr.*` PAX records as raw bytes, keyed without the prefix. */
  xattrs: Record<string, Uint8Array>;
  /** True for PAX sparse (GNU.sparse.*) entries: flagged, since layer.md says SHOULD NOT. */
  sparse: boolean;
}
