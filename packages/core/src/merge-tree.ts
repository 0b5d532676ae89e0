/**
 * The tree mergeLayers builds (merge-layers.ts says how layers apply to
 * it): paths → entries, each directory's children, implied parents, shadowed
 * entries and hardlinked inodes, and the primitives every kind of entry or
 * mark uses: create the parents of a name (containerd's mkparent over
 * fs.RootPath, https://github.com/containerd/containerd/blob/v1.6.20/archive/tar.go),
 * insert, and remove a path with its subtree (os.RemoveAll), recording what
 * it hid.
 */
import type { FileEntry, ShadowedEntry, UnsafeReason } from "./types.js";
import { parentOf } from "./paths.js";
import { rootPath } from "./root-path.js";
import { keepStronger, settleInodes, type Inode, type InodeAttrs } from "./inode.js";
import { UnsafeLog } from "./unsafe-log.js";
import { DerivedEntry, ShadowCopy } from "./derived-entry.js";
import { WasteCollector } from "./wasted-paths.js";

/** containerd's mkparent creates missing parents 0755, owned by root. */
export const IMPLIED_DIR_MODE = 0o755;

const S_ISGID = 0o2000;

type HiddenHow = ShadowedEntry["hiddenHow"];

export class MergeTree {
  readonly files = new Map<string, FileEntry>();
  /** Directory path → paths of its direct children, for O(subtree) removal. */
  readonly dirs = new Map<string, Set<string>>();
  readonly implied = new Set<FileEntry>();
  readonly shadowed: ShadowedEntry[] = [];
  /** Each shadowed regular file (its origin holds the bytes), for wastedBytes. */
  private readonly shadowedFiles: ShadowedEntry[] = [];
  /** Tree entries that are names of a hardlinked inode. */
  protected readonly inodeOf = new Map<FileEntry, Inode>();
  protected readonly inodes: Inode[] = [];
  /** Shadowed copies of inode names, with their inode. */
  private readonly shadowedNames: [ShadowedEntry, Inode][] = [];
  /** Bytes of shadowed regular files no live name shows (after settle). */
  wasted = 0;
  /** Where `wasted` is, by path and by the layers that added and hid it. */
  readonly waste = new WasteCollector();
  readonly log = new UnsafeLog();
  /** The layer being applied. */
  protected layer: number;
  /**
   * Paths this layer wrote that were removed again, kept while a layer with
   * an opaque marker is applied: with the tree's entries of this layer, the
   * runtimes' unpackedPaths.
   */
  protected removedHere: Set<string> | undefined;
  /**
   * Entries a `g` entry's name kept that the runtimes' apply loop removed
   * (merge-layers.ts globalHeader): names placed later do not see them, so
   * a kept symlink is not followed and a kept file in the way of a parent is
   * replaced by a directory, as where nothing was. Usually undefined.
   */
  protected ghosts: Set<FileEntry> | undefined;
  /** The tree as names placed from now on see it. */
  readonly lookup = (p: string): FileEntry | undefined => {
    const e = this.files.get(p);
    return e !== undefined && this.ghosts?.has(e) === true ? undefined : e;
  };

  constructor(firstLayer: number) {
    this.layer = firstLayer;
    this.files.set("/", this.impliedDir("/"));
  }

  /** The real directory for `dir` (fs.RootPath), creating implied parents; undefined on a loop. */
  protected placeDir(dir: string, relative = true): string | undefined {
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
  protected markerDir(dir: string, name: string): string | undefined {
    const real = this.placeDir(dir);
    if (real === undefined) this.flag(name, "link-escape", "symlink loop in parent path; whiteout dropped");
    else if (real !== dir) this.flag(name, "link-escape", `whiteout applied through a symlink to ${real}`);
    return real;
  }

  protected insert(e: FileEntry): void {
    this.files.set(e.path, e);
    const parent = parentOf(e.path);
    let kids = this.dirs.get(parent);
    if (kids === undefined) this.dirs.set(parent, (kids = new Set()));
    kids.add(e.path);
  }

  /** Unlinks `path` and, for a directory, its whole subtree. */
  protected remove(path: string, how: HiddenHow): void {
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

  protected shadow(e: FileEntry, how: HiddenHow): void {
    if (this.implied.delete(e)) return; // never shipped in a layer
    if (this.removedHere !== undefined && e.layer === this.layer) this.removedHere.add(e.path);
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
    if (s.type === "file") this.shadowedFiles.push(s);
    this.shadowed.push(s);
  }

  /** Final metadata for every live name of every inode (inode.ts settleInodes); the hardlink → inode map. */
  settle(): Map<FileEntry, FileEntry> {
    const { links, liveData } = settleInodes(this.inodes, this.files, this.shadowedNames);
    for (const s of this.shadowedFiles) {
      const o = DerivedEntry.originOf(s);
      if (liveData.has(o)) continue;
      this.wasted += o.size;
      this.waste.add(s.path, o.size, o.layer, s.hiddenBy, s.hiddenHow);
    }
    return links;
  }

  /** `e` with `other`'s stronger attributes (inode.ts keepStronger), in place in the tree; an implied directory stays implied. */
  protected replaceAttrs(e: FileEntry, other: InodeAttrs): void {
    const a: InodeAttrs = { mode: e.mode, uid: e.uid, gid: e.gid, xattrs: e.xattrs };
    keepStronger(a, other);
    const c = new DerivedEntry(e, e.path, DerivedEntry.originOf(e));
    c.mode = a.mode;
    c.uid = a.uid;
    c.gid = a.gid;
    if (a.xattrs !== undefined) c.xattrs = a.xattrs;
    if (this.implied.delete(e)) this.implied.add(c);
    this.files.set(e.path, c);
  }

  /**
   * A missing parent as mkparent makes it: mkdir then chmod 0755, no chown.
   * In a setgid directory the kernel gives a new directory the parent's
   * group (inode_init_owner, https://github.com/torvalds/linux/blob/master/fs/inode.c);
   * the chmod drops the setgid bit it would inherit.
   */
  protected impliedDir(path: string): FileEntry {
    const parent = path === "/" ? undefined : this.files.get(parentOf(path));
    const gid = parent !== undefined && parent.mode & S_ISGID ? parent.gid : 0;
    const d: FileEntry = { path, type: "dir", mode: IMPLIED_DIR_MODE, uid: 0, gid, size: 0, layer: this.layer };
    this.implied.add(d);
    return d;
  }

  protected flag(name: string, reason: UnsafeReason, detail: string): void {
    this.log.add(this.layer, reason, name, detail);
  }
}
