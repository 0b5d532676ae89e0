import type { FileEntry, UnsafeEntry } from "./types.js";

/**
 * What one tar pass over one layer yields (DESIGN.md §1): metadata only, plus
 * the capped bytes of the few files an analyzer asked for.
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
  /** Entries refused from the tree (`../`, `.wh.` alone, sparse…). */
  unsafe: UnsafeEntry[];
  /** Paths that appeared more than once in this layer (invalid per layer.md). */
  duplicates: string[];
  /** Captured content (capped) keyed by canonical path, for analyzers. */
  contents: Map<string, Uint8Array>;
  stats: {
    /** Tar entries seen, including whiteouts. */
    entries: number;
    /** Regular files among them. */
    files: number;
    /** Bytes of the uncompressed tar stream. */
    tarBytes: number;
  };
}
