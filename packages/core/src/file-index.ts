/**
 * The final merged filesystem: metadata by path, plus lookups by basename,
 * by directory, through symlinks and hardlinks, and each entry's origin (the
 * walk-time entry whose content it holds).
 *
 * Invariant relied on for speed (mergeLayers keeps it): every stored path's
 * ancestors are stored too, and they are directories. So a path found
 * verbatim in the map has no symlink among its parents.
 */
import type { FileEntry, ShadowedEntry, UnsafeEntry } from "./types.js";
import type { UnsafeCount } from "./unsafe-log.js";
import { DerivedEntry } from "./derived-entry.js";
import { canonicalPath, pushComponentsReversed } from "./paths.js";

/** Linux MAXSYMLINKS: following a 41st symlink in one lookup fails (ELOOP). */
export const MAX_SYMLINK_HOPS = 40;

export interface FileIndex extends Iterable<FileEntry> {
  /** Number of paths, the root "/" included. */
  readonly size: number;
  /**
   * Entries the walk or the merge had to interpret (refused, clamped,
   * redirected), at most MAX_UNSAFE_LISTED per (layer, reason).
   */
  readonly unsafe: readonly UnsafeEntry[];
  /** Per (layer, reason): how many entries were unsafe in all, and how many `unsafe` lists. */
  readonly unsafeCounts: readonly UnsafeCount[];
  /** Exact (lexical) lookup; no symlink is followed. */
  get(path: string): FileEntry | undefined;
  /** Follows symlinks in every component, then a hardlink to its inode's file (hardlinkTarget). */
  resolve(path: string): FileEntry | undefined;
  /** Canonical real path after following symlinks; undefined if missing or a loop. */
  resolvePath(path: string): string | undefined;
  byBasename(name: string): readonly FileEntry[];
  /** Direct children of a directory (exact path), sorted by path. */
  children(dir: string): readonly FileEntry[];
  /**
   * For a "hardlink" entry (final or shadowed): the regular file it is a
   * name of. That is the final entry of the name that carried the data while
   * it is still one of the inode's names, else a detached entry with that
   * name's path and the inode's metadata; the same object for every name of
   * one inode. Undefined for other entries.
   */
  hardlinkTarget(e: FileEntry): FileEntry | undefined;
  /**
   * The walk-time entry (exactly the object the layer walk produced and
   * handed to wantsContent/onContent) whose content `e` holds: `e` itself
   * unless the merge made it, a copy written through a symlinked parent, a
   * shadowed copy, or a name of a hardlinked inode (then the entry that
   * carried the data).
   */
  origin(e: FileEntry): FileEntry;
  /** Entries that shipped in some layer but are not visible. */
  shadowed(): Iterable<ShadowedEntry>;
  /** Entries sorted by path (UTF-16 code unit order). */
  [Symbol.iterator](): Iterator<FileEntry>;
}

export interface ResolveOptions {
  /** Follow a symlink in the last component too (stat vs lstat). */
  followFinal: boolean;
  /**
   * Strict: every intermediate component must exist and be a directory
   * (kernel lookup). Lenient: from the first missing or non-directory
   * component on, the rest is taken literally (what an extractor that
   * creates missing parents does, e.g. containerd's fs.RootPath).
   */
  strict: boolean;
}

/**
 * Resolves `path` against a tree as the kernel does inside a chroot: absolute
 * targets restart at "/", relative ones at the link's directory, ".." at the
 * root stays at the root, and more than MAX_SYMLINK_HOPS links → null. The
 * result is canonical; it need not exist.
 */
export function resolveSymlinks(
  lookup: (path: string) => FileEntry | undefined,
  path: string,
  opts: ResolveOptions,
): string | null {
  const todo: string[] = [];
  pushComponentsReversed(todo, path);
  const parts: string[] = [];
  let cur = "/";
  let hops = 0;
  let literal = false; // past a missing component (lenient mode only)
  while (todo.length > 0) {
    const c = todo.pop()!;
    if (c === "..") {
      if (parts.length > 0) {
        parts.pop();
        cur = parts.length > 0 ? `/${parts.join("/")}` : "/";
      }
      continue;
    }
    const next = cur === "/" ? `/${c}` : `${cur}/${c}`;
    const final = todo.length === 0;
    if (!literal) {
      const e = lookup(next);
      if (e === undefined || (e.type !== "dir" && e.type !== "symlink" && !final)) {
        if (opts.strict && !final) return null;
        literal = true;
      } else if (e.type === "symlink" && (!final || opts.followFinal)) {
        if (++hops > MAX_SYMLINK_HOPS) return null;
        const target = e.linkTarget ?? "";
        if (target === "") return null; // Linux: ENOENT
        if (target.charCodeAt(0) === 47) {
          parts.length = 0;
          cur = "/";
        }
        pushComponentsReversed(todo, target);
        continue;
      }
    }
    parts.push(c);
    cur = next;
  }
  return cur;
}

function byPath(a: FileEntry, b: FileEntry): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

export class MergedFileIndex implements FileIndex {
  private sorted: FileEntry[] | undefined;
  private readonly basenames = new Map<string, FileEntry[]>();
  private readonly lookup = (p: string): FileEntry | undefined => this.files.get(p);

  constructor(
    private readonly files: ReadonlyMap<string, FileEntry>,
    private readonly dirs: ReadonlyMap<string, ReadonlySet<string>>,
    /** Hardlink entry (final or shadowed) → the entry standing for its inode. */
    private readonly links: ReadonlyMap<FileEntry, FileEntry>,
    private readonly hidden: readonly ShadowedEntry[],
    readonly unsafe: readonly UnsafeEntry[],
    readonly unsafeCounts: readonly UnsafeCount[],
  ) {}

  get size(): number {
    return this.files.size;
  }

  get(path: string): FileEntry | undefined {
    const e = this.files.get(path);
    if (e !== undefined) return e;
    const c = canonicalPath(path);
    return c === null ? undefined : this.files.get(c);
  }

  resolve(path: string): FileEntry | undefined {
    // Fast path: a stored path has only directories above it (invariant).
    let e = this.files.get(path);
    if (e === undefined || e.type === "symlink") {
      const real = this.resolvePath(path);
      e = real === undefined ? undefined : this.files.get(real);
    }
    if (e?.type === "hardlink") return this.links.get(e) ?? e;
    return e;
  }

  resolvePath(path: string): string | undefined {
    const e = this.files.get(path);
    if (e !== undefined && e.type !== "symlink") return path;
    const real = resolveSymlinks(this.lookup, path, { followFinal: true, strict: true });
    return real !== null && this.files.has(real) ? real : undefined;
  }

  /**
   * One pass over the sorted entries per name asked, cached. Analyzers ask
   * for one or two names (busybox); an index of every basename would hold
   * a string and an array per path, about 110 bytes per entry, a hundred
   * MiB on an image of a million files.
   */
  byBasename(name: string): readonly FileEntry[] {
    let list = this.basenames.get(name);
    if (list !== undefined) return list;
    list = [];
    if (!name.includes("/")) {
      const at = name.length + 1; // the "/" before the basename, counted from the end
      for (const e of this) {
        const p = e.path;
        if (p.length >= at && p.charCodeAt(p.length - at) === 47 && p.endsWith(name)) list.push(e);
      }
    }
    this.basenames.set(name, list);
    return list;
  }

  children(dir: string): readonly FileEntry[] {
    const kids = this.dirs.get(dir) ?? this.dirs.get(canonicalPath(dir) ?? "");
    if (kids === undefined) return [];
    const out: FileEntry[] = [];
    for (const p of kids) {
      const e = this.files.get(p);
      if (e !== undefined) out.push(e);
    }
    return out.sort(byPath);
  }

  hardlinkTarget(e: FileEntry): FileEntry | undefined {
    return this.links.get(e);
  }

  origin(e: FileEntry): FileEntry {
    return DerivedEntry.originOf(e);
  }

  shadowed(): Iterable<ShadowedEntry> {
    return this.hidden;
  }

  [Symbol.iterator](): Iterator<FileEntry> {
    this.sorted ??= [...this.files.values()].sort(byPath);
    return this.sorted[Symbol.iterator]();
  }
}
