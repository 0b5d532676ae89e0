import type { FileEntry, UnsafeEntry } from "./types.js";
import type { UnsafeCount } from "./unsafe-log.js";

/**
 * - "whiteout": `.wh.<name>` deletes `path` and its subtree (also what moby
 *   does with the invalid names `.wh.`, `.wh..` and `.wh...`);
 * - "opaque": `.wh..wh..opq` hides the children of directory `path` that
 *   this layer has not written;
 * - "pax-global": a PAX `g` entry named `path`, which the runtimes run
 *   through their apply loop like a file;
 * - "parents": directory `path` and its parents are created, nothing else
 *   (a whiteout or marker that one runtime skips after creating them).
 */
export type MarkKind = "whiteout" | "opaque" | "pax-global" | "parents";

/**
 * Marks as parallel arrays, one slot per mark (no object per mark): kind,
 * canonical absolute path, and how many of the layer's `entries` come
 * before it in the stream.
 */
export interface Marks {
  kind: MarkKind[];
  path: string[];
  at: number[];
}

/**
 * What one tar pass over one layer yields: metadata only, plus the capped
 * bytes of the few files an analyzer asked for.
 */
export interface LayerIndex {
  /** Position of the layer in the manifest, bottom = 0. */
  index: number;
  /**
   * Entries in stream order, whiteouts and opaque markers excluded. Hardlink
   * entries carry `linkTarget` as a canonical absolute path.
   */
  entries: FileEntry[];
  /**
   * Whiteouts, opaque markers and PAX `g` entries, in stream order: both
   * runtimes act on each at its position in the stream, between the entries
   * before and after it (see Marks).
   */
  marks: Marks;
  /** Entries the walk had to interpret (`../`, `.wh.` alone, sparse…), at most MAX_UNSAFE_LISTED per reason. */
  unsafe: UnsafeEntry[];
  /** Per reason, how many entries were unsafe (the list above keeps only the first ones). */
  unsafeCounts: UnsafeCount[];
  /** Paths that appeared more than once in this layer (invalid per layer.md). */
  duplicates: string[];
  /**
   * Hardlink entries whose stored target name is not plain (a ".." component
   * or a trailing "/"), with that name: containerd resolves it component by
   * component through symlinks (archive/tar.go hardlinkRootPath), which
   * cleaning first would not. Usually empty.
   */
  linkNames: Map<FileEntry, string>;
  /**
   * Hardlink entries into `/.wh..wh.plnk/` → the regular file entry of this
   * layer whose header moby extracts in their place (UnpackLayer's
   * aufsHardlinks). Usually empty.
   */
  aufsLinks: Map<FileEntry, FileEntry>;
  /**
   * Hardlink entries named under a top-level `/.wh..wh.*` directory: moby
   * skips them (no link, and so no chown/chmod of the inode they name);
   * containerd links them. Usually empty.
   */
  mobySkippedLinks: Set<FileEntry>;
  /**
   * Entries whose stored name starts with "/": containerd resolves their
   * parent from "/" rather than as a relative path, which differs in one
   * corner of fs.RootPath (root-path.ts). Usually empty.
   */
  rootedNames: Set<FileEntry>;
  /** Captured content (capped), keyed by the walk-time entry object (never by path). */
  contents: Map<FileEntry, Uint8Array>;
  stats: {
    /** Tar entries seen, including whiteouts. */
    entries: number;
    /** Regular files among them. */
    files: number;
    /** Bytes of the uncompressed tar stream. */
    tarBytes: number;
  };
}
