/**
 * Entries the merge makes rather than the walk: a copy written through a
 * symlinked parent, a name of a hardlinked inode with the inode's metadata,
 * a shadowed snapshot. Each keeps its origin, the walk-time entry whose
 * content it holds, in a private field: no map to fill for every shadowed
 * entry of a large image, and nothing extra in JSON or in toEqual.
 */
import type { FileEntry, FileType, ShadowedEntry } from "./types.js";

export class DerivedEntry implements FileEntry {
  path: string;
  type: FileType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  declare linkTarget?: string | undefined;
  declare xattrs?: Record<string, Uint8Array> | undefined;
  layer: number;
  readonly #origin: FileEntry;

  /** `like`'s fields at `path` (linkTarget and xattrs only when set), made from `origin`. */
  constructor(like: FileEntry, path: string, origin: FileEntry) {
    this.path = path;
    this.type = like.type;
    this.mode = like.mode;
    this.uid = like.uid;
    this.gid = like.gid;
    this.size = like.size;
    this.layer = like.layer;
    if (like.linkTarget !== undefined) this.linkTarget = like.linkTarget;
    if (like.xattrs !== undefined) this.xattrs = like.xattrs;
    this.#origin = origin;
  }

  /** The walk-time entry `e` holds the content of: `e` itself unless the merge made it. */
  static originOf(e: FileEntry): FileEntry {
    return #origin in e ? (e as DerivedEntry).#origin : e;
  }
}

export class ShadowCopy extends DerivedEntry implements ShadowedEntry {
  hiddenBy: number;
  hiddenHow: ShadowedEntry["hiddenHow"];

  constructor(like: FileEntry, origin: FileEntry, hiddenBy: number, hiddenHow: ShadowedEntry["hiddenHow"]) {
    super(like, like.path, origin);
    this.hiddenBy = hiddenBy;
    this.hiddenHow = hiddenHow;
  }
}
