/**
 * mergeLayers: applies LayerIndex[] bottom → top (array order) into the final
 * FileIndex, per image-spec layer.md and SPECS.md §6. Metadata only: O(entries).
 *
 * Per layer, in this order:
 * 1. Opaque markers (`.wh..wh..opq`) hide every existing child of their
 *    directory. They run first, "regardless of ordering" (layer.md), and since
 *    this layer's entries are not applied yet they hide only lower layers.
 * 2. Whiteouts remove the named path and its subtree. Also before the layer's
 *    entries, because "whiteout files MUST only apply to resources in
 *    lower/parent layers": same-layer `.wh.foo` + `foo`, either order, keeps foo.
 *    A whiteout whose directory is missing deletes and creates nothing.
 * 3. Entries in stream order. Dir over dir replaces the attributes and keeps
 *    the children; anything else unlinks the path (a whole subtree if it was a
 *    directory) and recreates it ("Changeset over existing files").
 *
 * Decisions:
 * - Implied parents: a missing parent directory is created (like containerd,
 *   moby and umoci) as mode 0755, uid 0, gid 0, `layer` = the layer that needed
 *   it. Implied dirs are not shadowed when removed (they never shipped). A
 *   non-directory in the way of a parent is replaced by an implied dir.
 * - Parents through symlinks: real extractors write `a/passwd` *through* a
 *   symlink `a → /etc` (containerd fs.RootPath, moby, umoci securejoin). We do
 *   the same, resolved inside the root like a chroot, so the tree matches an
 *   unpacked rootfs; each such redirect is recorded as UnsafeEntry
 *   "link-escape" (it is how hostile layers write outside their apparent
 *   directory). A symlink loop in the parent path drops the entry, also
 *   "link-escape". Whiteouts and opaque markers are redirected the same way.
 * - Hardlinks bind to the target's inode when applied (anchore/stereoscope
 *   PR #670): a later whiteout or overwrite of the target leaves the link with
 *   the old content and metadata. The final entry keeps type "hardlink" and its
 *   linkTarget, but size/mode/uid/gid/xattrs come from the bound file. A target
 *   that is missing (or a directory) at that point leaves the link unbound:
 *   size 0, its own header metadata, FileIndex.hardlinkTarget() → undefined.
 * - Shadowed: every shipped entry that is removed or overwritten, dir
 *   attributes replaced by a later dir included, with hiddenBy/hiddenHow.
 * - wastedBytes: sizes of shadowed regular files whose inode is not still
 *   visible through a live hardlink. Hardlinks themselves never count (their
 *   bytes are the target's), so shared content is never counted twice.
 */
import type { FileEntry, ShadowedEntry, UnsafeEntry } from "./types.js";
import type { LayerIndex } from "./layer-index.js";
import { basename, joinPath, parentOf } from "./paths.js";
import { MergedFileIndex, resolveSymlinks, type FileIndex } from "./file-index.js";

export interface MergedFilesystem {
  files: FileIndex;
  shadowed: ShadowedEntry[];
  unsafe: UnsafeEntry[];
  wastedBytes: number;
}

export const IMPLIED_DIR_MODE = 0o755;

type HiddenHow = ShadowedEntry["hiddenHow"];

class Tree {
  readonly files = new Map<string, FileEntry>();
  /** Directory path → paths of its direct children, for O(subtree) removal. */
  readonly dirs = new Map<string, Set<string>>();
  /** Hardlink entry → bound file (undefined: target was missing). */
  readonly bound = new Map<FileEntry, FileEntry | undefined>();
  readonly implied = new Set<FileEntry>();
  readonly shadowed: ShadowedEntry[] = [];
  /** The original object behind each shadowed entry (same order). */
  readonly shadowedOrigin: FileEntry[] = [];
  readonly unsafe: UnsafeEntry[] = [];
  private layer: number;
  private readonly lookup = (p: string): FileEntry | undefined => this.files.get(p);

  constructor(firstLayer: number) {
    this.layer = firstLayer;
    this.files.set("/", this.impliedDir("/"));
  }

  apply(l: LayerIndex): void {
    this.layer = l.index;
    for (const u of l.unsafe) this.unsafe.push(u);
    for (const d of l.opaqueDirs) {
      const dir = this.existingDir(d, d);
      const kids = dir === undefined ? undefined : this.dirs.get(dir);
      if (kids !== undefined) for (const k of [...kids]) this.remove(k, "opaque");
    }
    for (const w of l.whiteouts) {
      const dir = this.existingDir(parentOf(w), w);
      if (dir !== undefined) this.remove(joinPath(dir, basename(w)), "whiteout");
    }
    for (const e of l.entries) this.applyEntry(e);
  }

  wastedBytes(): number {
    const live = new Set<FileEntry>();
    for (const [link, file] of this.bound) {
      if (file !== undefined && this.files.get(link.path) === link) live.add(file);
    }
    let sum = 0;
    for (const e of this.shadowedOrigin) if (e.type === "file" && !live.has(e)) sum += e.size;
    return sum;
  }

  private applyEntry(e: FileEntry): void {
    let entry = e;
    if (e.path === "/") {
      if (e.type !== "dir") return this.flag(e.path, "path-escape", "non-directory entry names the root");
    } else {
      const want = parentOf(e.path);
      const dir = this.placeDir(want);
      if (dir === undefined) return this.flag(e.path, "link-escape", "symlink loop in parent path; entry dropped");
      if (dir !== want) {
        entry = { ...e, path: joinPath(dir, basename(e.path)) };
        this.flag(e.path, "link-escape", `parent is reached through a symlink; written to ${entry.path}`);
      }
    }
    const old = this.files.get(entry.path);
    if (old !== undefined) {
      if (old.type === "dir" && entry.type === "dir") {
        this.files.set(entry.path, entry); // attributes replaced, children kept
        this.shadow(old, "overwrite");
        return;
      }
      this.remove(entry.path, "overwrite");
    }
    if (entry.type === "hardlink") entry = this.bindHardlink(entry);
    this.insert(entry);
  }

  private bindHardlink(e: FileEntry): FileEntry {
    const target = e.linkTarget ?? "/";
    let t = this.files.get(target);
    if (t === undefined) {
      // Like containerd's hardlinkRootPath: parents may go through symlinks.
      const real = resolveSymlinks(this.lookup, target, { followFinal: false, strict: true });
      t = real === null ? undefined : this.files.get(real);
    }
    const file = t === undefined || t.type === "dir" ? undefined : t.type === "hardlink" ? this.bound.get(t) : t;
    const out: FileEntry = { ...e, size: 0 };
    if (file !== undefined) {
      out.size = file.size;
      out.mode = file.mode;
      out.uid = file.uid;
      out.gid = file.gid;
      if (file.xattrs !== undefined) out.xattrs = file.xattrs;
      else delete out.xattrs;
    }
    this.bound.set(out, file);
    return out;
  }

  /** The real directory for `dir`, creating implied parents; undefined on a loop. */
  private placeDir(dir: string): string | undefined {
    if (this.files.get(dir)?.type === "dir") return dir;
    const real = resolveSymlinks(this.lookup, dir, { followFinal: true, strict: false });
    if (real === null) return undefined;
    let cur = "/";
    let start = 1;
    while (start < real.length) {
      let end = real.indexOf("/", start);
      if (end < 0) end = real.length;
      cur = real.slice(0, end);
      const e = this.files.get(cur);
      if (e?.type !== "dir") {
        if (e !== undefined) this.remove(cur, "overwrite");
        this.insert(this.impliedDir(cur));
      }
      start = end + 1;
    }
    return real;
  }

  /** An existing directory `dir`, following symlinks; flags a redirect. */
  private existingDir(dir: string, name: string): string | undefined {
    if (this.files.get(dir)?.type === "dir") return dir;
    const real = resolveSymlinks(this.lookup, dir, { followFinal: true, strict: true });
    if (real === null || this.files.get(real)?.type !== "dir") return undefined;
    this.flag(name, "link-escape", `whiteout applied through a symlink to ${real}`);
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
    // Explicit fields, not a spread: object spread is the hot spot at 100k+ entries.
    const s: ShadowedEntry = {
      path: e.path, type: e.type, mode: e.mode, uid: e.uid, gid: e.gid, size: e.size, layer: e.layer,
      hiddenBy: this.layer, hiddenHow: how,
    };
    if (e.linkTarget !== undefined) s.linkTarget = e.linkTarget;
    if (e.xattrs !== undefined) s.xattrs = e.xattrs;
    if (e.type === "hardlink") this.bound.set(s, this.bound.get(e));
    this.shadowed.push(s);
    this.shadowedOrigin.push(e);
  }

  private impliedDir(path: string): FileEntry {
    const d: FileEntry = { path, type: "dir", mode: IMPLIED_DIR_MODE, uid: 0, gid: 0, size: 0, layer: this.layer };
    this.implied.add(d);
    return d;
  }

  private flag(name: string, reason: UnsafeEntry["reason"], detail: string): void {
    this.unsafe.push({ layer: this.layer, name, reason, detail });
  }
}

/** Applies `layers` in array order (bottom first). */
export function mergeLayers(layers: readonly LayerIndex[]): MergedFilesystem {
  const t = new Tree(layers[0]?.index ?? 0);
  for (const l of layers) t.apply(l);
  const wastedBytes = t.wastedBytes();
  const files = new MergedFileIndex(t.files, t.dirs, t.bound, t.shadowed, t.unsafe);
  return { files, shadowed: t.shadowed, unsafe: t.unsafe, wastedBytes };
}
