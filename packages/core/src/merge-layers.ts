/**
 * mergeLayers: applies LayerIndex[] bottom → top (array order) into the final
 * FileIndex, as containerd's applyNaive and moby's UnpackLayer unpack them
 * (https://github.com/containerd/containerd/blob/v1.6.20/archive/tar.go,
 * https://github.com/moby/moby/blob/v20.10.24/pkg/archive/diff.go) and
 * image-spec layer.md describes. Metadata only: O(entries).
 *
 * Per layer, in this order:
 * 1. Opaque markers (`.wh..wh..opq`) hide every existing child of their
 *    directory. They run first, "regardless of ordering" (layer.md), and since
 *    this layer's entries are not applied yet they hide only lower layers (the
 *    runtimes keep this layer's entries through their unpackedPaths set).
 * 2. Whiteouts remove the named path and its subtree, before the layer's
 *    entries: "whiteout files MUST only apply to resources in lower/parent
 *    layers", so same-layer `.wh.foo` + `foo`, either order, keeps foo (the
 *    runtimes delete foo when the whiteout comes second; keeping it is the
 *    stricter verdict). The parent of a marker or whiteout is created when
 *    missing, as both runtimes do before looking at the name.
 * 3. Entries in stream order. Dir over dir replaces the attributes and keeps
 *    the children; anything else unlinks the path (a whole subtree if it was a
 *    directory) and recreates it.
 *
 * Decisions:
 * - Parents: an entry's parent directory is resolved as containerd's
 *   fs.RootPath does (root-path.ts): through symlinks, inside the root. A
 *   missing parent is created (mkparent) as mode 0755, uid 0, gid 0, `layer`
 *   = the layer that needed it; a non-directory in the way is replaced by one
 *   (where the runtimes fail the layer). Implied dirs are not shadowed when
 *   removed: they never shipped. A write redirected through a symlink is
 *   recorded "link-escape" (it is how hostile layers write outside their
 *   apparent directory); a symlink loop drops the entry, also "link-escape".
 * - Hardlinks make names of one inode (inode.ts): the link header's mode,
 *   owner and xattrs apply to every name; content stays the data-carrying
 *   entry's. A later overwrite or whiteout of one name unlinks only that
 *   name. link() does not follow a final symlink: a hardlink to a symlink is
 *   a second symlink (likewise for devices and FIFOs), and is listed with
 *   that type. A target that is missing or a directory when applied makes
 *   link() fail and the runtime fail the layer: the entry is dropped and
 *   recorded "invalid-hardlink" (the path it would have replaced stays).
 * - Identity: every final or shadowed entry has an origin, the walk-time
 *   entry whose content it holds (FileIndex.origin).
 * - Shadowed: every shipped entry that is removed or overwritten, dir
 *   attributes replaced by a later dir included, with hiddenBy/hiddenHow.
 * - wastedBytes: shadowed regular files whose inode no live name shows.
 * - Unsafe entries: MAX_UNSAFE_LISTED per (layer, reason), counts exact.
 * Hot loops build entries field by field: object spread is the hot spot at 100k+ entries.
 */
import type { FileEntry, ShadowedEntry, UnsafeEntry, UnsafeReason } from "./types.js";
import type { LayerIndex } from "./layer-index.js";
import { basename, joinPath, parentOf } from "./paths.js";
import { MergedFileIndex, type FileIndex } from "./file-index.js";
import { hardlinkRootPath, lstat, rootPath } from "./root-path.js";
import { addAufsCopy, applyLinkHeader, nameOf, newInode, settleInodes, type Inode } from "./inode.js";
import { UnsafeLog, type UnsafeCount } from "./unsafe-log.js";
import { DerivedEntry, ShadowCopy } from "./derived-entry.js";

export interface MergedFilesystem {
  files: FileIndex;
  shadowed: ShadowedEntry[];
  /** At most MAX_UNSAFE_LISTED per (layer, reason); `unsafeCounts` has the totals. */
  unsafe: UnsafeEntry[];
  unsafeCounts: UnsafeCount[];
  wastedBytes: number;
}

export const IMPLIED_DIR_MODE = 0o755;

type HiddenHow = ShadowedEntry["hiddenHow"];

class Tree {
  readonly files = new Map<string, FileEntry>();
  /** Directory path → paths of its direct children, for O(subtree) removal. */
  readonly dirs = new Map<string, Set<string>>();
  readonly implied = new Set<FileEntry>();
  readonly shadowed: ShadowedEntry[] = [];
  /** Walk-time origin of each shadowed regular file, for wastedBytes. */
  private readonly shadowedFiles: FileEntry[] = [];
  /** Tree entries that are names of a hardlinked inode. */
  private readonly inodeOf = new Map<FileEntry, Inode>();
  private readonly inodes: Inode[] = [];
  /** Shadowed copies of inode names, with their inode. */
  private readonly shadowedNames: [ShadowedEntry, Inode][] = [];
  /** Bytes of shadowed regular files no live name shows (after settle). */
  wasted = 0;
  readonly log = new UnsafeLog();
  private layer: number;
  private current: LayerIndex | undefined;
  readonly lookup = (p: string): FileEntry | undefined => this.files.get(p);

  constructor(firstLayer: number) {
    this.layer = firstLayer;
    this.files.set("/", this.impliedDir("/"));
  }

  apply(l: LayerIndex): void {
    this.layer = l.index;
    this.current = l;
    this.log.absorb(l.unsafe, l.unsafeCounts);
    for (const d of l.opaqueDirs) {
      // moby walks the marker's directory without following it when it is itself a symlink, and
      // hides nothing there; containerd resolves it and hides the target's children. Kept: stricter.
      if (lstat(this.lookup, d)?.type === "symlink") {
        this.flag(d, "link-escape", "opaque marker in a symlinked directory: containerd hides the target's children, moby nothing; kept");
        continue;
      }
      const dir = this.markerDir(d, d);
      const kids = dir === undefined ? undefined : this.dirs.get(dir);
      if (kids !== undefined) for (const k of [...kids]) this.remove(k, "opaque");
    }
    for (const w of l.whiteouts) {
      const dir = this.markerDir(parentOf(w), w);
      if (dir !== undefined) this.remove(joinPath(dir, basename(w)), "whiteout");
    }
    for (const e of l.entries) this.applyEntry(e);
  }

  private applyEntry(e: FileEntry): void {
    let entry = e;
    if (e.path === "/") {
      if (e.type !== "dir") return this.flag(e.path, "path-escape", "non-directory entry names the root");
    } else {
      const want = parentOf(e.path);
      const dir = this.placeDir(want, this.current?.rootedNames.has(e) !== true);
      if (dir === undefined) return this.flag(e.path, "link-escape", "symlink loop in parent path; entry dropped");
      if (dir !== want) {
        entry = new DerivedEntry(e, joinPath(dir, basename(e.path)), e); // written through a symlinked parent
        this.flag(e.path, "link-escape", `parent is reached through a symlink; written to ${entry.path}`);
      }
    }
    const old = this.files.get(entry.path);
    if (entry.type === "hardlink") return this.link(entry, e, old);
    if (old !== undefined) {
      if (old.type === "dir" && entry.type === "dir") {
        this.files.set(entry.path, entry); // attributes replaced, children kept
        this.shadow(old, "overwrite");
        return;
      }
      this.remove(entry.path, "overwrite");
    }
    this.insert(entry);
  }

  /** A hardlink entry `e`, placed as `entry`, over `old` (if any). */
  private link(entry: FileEntry, e: FileEntry, old: FileEntry | undefined): void {
    const raw = this.current?.linkNames.get(e);
    const targetPath = raw !== undefined ? hardlinkRootPath(this.lookup, raw) : this.linkPath(e.linkTarget ?? "/");
    let t = targetPath === null ? undefined : this.files.get(targetPath);
    // The runtime unlinks the entry's own path (a directory with its subtree) before link().
    if (t !== undefined && old !== undefined && (t.path === entry.path || t.path.startsWith(`${entry.path}/`))) t = undefined;
    if (t === undefined || t.type === "dir") {
      const why = t === undefined ? "does not exist" : "is a directory";
      return this.flag(e.path, "invalid-hardlink", `target ${e.linkTarget ?? ""} ${why}: link() fails and the runtime fails this layer; entry dropped`);
    }
    if (old !== undefined) this.remove(entry.path, "overwrite");
    if (t.path !== entry.linkTarget) {
      // Show where the link went (through symlinks, or ".." after one), not the name as stored.
      entry = new DerivedEntry(entry, entry.path, DerivedEntry.originOf(entry));
      entry.linkTarget = t.path;
    }
    let ino = this.inodeOf.get(t);
    if (ino === undefined) {
      ino = newInode(t, DerivedEntry.originOf(t));
      this.inodeOf.set(t, ino);
      this.inodes.push(ino);
    }
    applyLinkHeader(ino, e);
    const plnk = this.current?.aufsLinks.get(e);
    if (plnk !== undefined) addAufsCopy(ino, plnk);
    // A second name of a symlink, device or FIFO is one: lookups must see its type.
    const name = ino.data.type === "file" ? entry : nameOf(entry, ino, true);
    this.inodeOf.set(name, ino);
    ino.names.push(name);
    this.insert(name);
  }

  /** hardlinkRootPath for a plain target: verbatim when its parent is a real directory. */
  private linkPath(target: string): string | null {
    if (this.files.get(parentOf(target))?.type === "dir") return target;
    return hardlinkRootPath(this.lookup, target.slice(1));
  }

  /** The real directory for `dir` (fs.RootPath), creating implied parents; undefined on a loop. */
  private placeDir(dir: string, relative = true): string | undefined {
    if (this.files.get(dir)?.type === "dir") return dir;
    const real = rootPath(this.lookup, dir, relative);
    if (real === null) return undefined;
    let start = 1;
    while (start < real.length) {
      let end = real.indexOf("/", start);
      if (end < 0) end = real.length;
      const cur = real.slice(0, end);
      const e = this.files.get(cur);
      if (e?.type !== "dir") {
        if (e !== undefined) this.remove(cur, "overwrite");
        this.insert(this.impliedDir(cur));
      }
      start = end + 1;
    }
    return real;
  }

  /** The directory a whiteout or opaque marker `name` acts in; flags a redirect. */
  private markerDir(dir: string, name: string): string | undefined {
    const real = this.placeDir(dir);
    if (real === undefined) this.flag(name, "link-escape", "symlink loop in parent path; whiteout dropped");
    else if (real !== dir) this.flag(name, "link-escape", `whiteout applied through a symlink to ${real}`);
    return real;
  }

  private insert(e: FileEntry): void {
    this.files.set(e.path, e);
    const parent = parentOf(e.path);
    let kids = this.dirs.get(parent);
    if (kids === undefined) this.dirs.set(parent, (kids = new Set()));
    kids.add(e.path);
  }

  /** Unlinks `path` and, for a directory, its whole subtree. */
  private remove(path: string, how: HiddenHow): void {
    const top = this.files.get(path);
    if (top === undefined || path === "/") return;
    this.dirs.get(parentOf(path))?.delete(path);
    const stack = [top];
    while (stack.length > 0) {
      const e = stack.pop()!;
      this.files.delete(e.path);
      this.shadow(e, how);
      const kids = this.dirs.get(e.path);
      if (kids === undefined) continue;
      this.dirs.delete(e.path);
      for (const k of kids) {
        const c = this.files.get(k);
        if (c !== undefined) stack.push(c);
      }
    }
  }

  private shadow(e: FileEntry, how: HiddenHow): void {
    if (this.implied.delete(e)) return; // never shipped in a layer
    const ino = this.inodeOf.get(e);
    const s = new ShadowCopy(e, ino?.data ?? DerivedEntry.originOf(e), this.layer, how);
    if (ino !== undefined) {
      // A name of an inode shows the inode's metadata at the time it is unlinked.
      s.mode = ino.mode;
      s.uid = ino.uid;
      s.gid = ino.gid;
      s.size = ino.data.size;
      if (ino.xattrs !== undefined) s.xattrs = ino.xattrs;
      else delete s.xattrs;
      this.shadowedNames.push([s, ino]);
    }
    if (s.type === "file") this.shadowedFiles.push(DerivedEntry.originOf(s));
    this.shadowed.push(s);
  }

  /** Final metadata for every live name of every inode (inode.ts settleInodes); the hardlink → inode map. */
  settle(): Map<FileEntry, FileEntry> {
    const { links, liveData } = settleInodes(this.inodes, this.files, this.shadowedNames);
    for (const o of this.shadowedFiles) if (!liveData.has(o)) this.wasted += o.size;
    return links;
  }

  private impliedDir(path: string): FileEntry {
    const d: FileEntry = { path, type: "dir", mode: IMPLIED_DIR_MODE, uid: 0, gid: 0, size: 0, layer: this.layer };
    this.implied.add(d);
    return d;
  }

  private flag(name: string, reason: UnsafeReason, detail: string): void {
    this.log.add(this.layer, reason, name, detail);
  }
}

/** Applies `layers` in array order (bottom first). */
export function mergeLayers(layers: readonly LayerIndex[]): MergedFilesystem {
  const t = new Tree(layers[0]?.index ?? 0);
  for (const l of layers) t.apply(l);
  const links = t.settle();
  const unsafeCounts = t.log.tallies();
  const files = new MergedFileIndex(t.files, t.dirs, links, t.shadowed, t.log.listed, unsafeCounts);
  return { files, shadowed: t.shadowed, unsafe: t.log.listed, unsafeCounts, wastedBytes: t.wasted };
}
