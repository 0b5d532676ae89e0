import type { FileEntry, UnsafeEntry } from "./types.js";
import type { UnsafeCount } from "./unsafe-log.js";

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
  /** Canonical absolute paths deleted by `.wh.<name>` entries, in stream order. */
  whiteouts: string[];
  /** Canonical absolute directories marked opaque by `.wh..wh..opq`. */
  opaqueDirs: string[];
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
