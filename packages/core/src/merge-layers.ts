/**
 * mergeLayers: applies LayerIndex[] bottom → top (array order) into the final
 * FileIndex, as containerd's applyNaive and moby's UnpackLayer unpack them
 * (https://github.com/containerd/containerd/blob/v1.6.20/archive/tar.go,
 * https://github.com/moby/moby/blob/v20.10.24/pkg/archive/diff.go) and
 * the image-spec describes
 * (https://github.com/opencontainers/image-spec/blob/v1.1.0/layer.md).
 * Metadata only: O(entries).
 *
 * Per layer, entries and marks (LayerIndex.marks) in stream order, as both
 * runtimes apply them:
 * - An entry: dir over dir replaces the attributes and keeps the children;
 *   anything else unlinks the path (a whole subtree if it was a directory)
 *   and recreates it.
 * - A whiteout `.wh.x` removes x and its subtree at its position in the
 *   stream: what lower layers put there, and what this layer wrote earlier
 *   (os.RemoveAll in both runtimes); an x this layer writes after it stays.
 *   The image-spec says whiteouts apply to lower layers only, so that a
 *   same-layer x survives in either order; both runtimes delete an earlier
 *   one, and the tree here is what a container gets.
 * - An opaque marker hides every child of its directory that this layer has
 *   not written so far, subtrees included: the runtimes walk the directory
 *   and RemoveAll each path missing from their unpackedPaths set, whose
 *   entries are this layer's written paths (implied parents are not in it).
 *   Entries after the marker come later anyway, so it hides only what
 *   this layer did not write, wherever it stands ("regardless of ordering",
 *   as layer.md asks), except inside a lower directory this layer wrote
 *   into without shipping that directory: the runtimes remove that
 *   directory, and so do we.
 * - A PAX `g` entry: containerd and moby's UnpackLayer create the missing
 *   parents of its name, then os.RemoveAll what is there, then ignore the
 *   entry; docker's overlay2 driver unpacks with moby's Unpack, which skips
 *   `g` entries before anything else
 *   (https://github.com/moby/moby/blob/v20.10.24/pkg/archive/archive.go), and
 *   containerd's overlayfs snapshotter unpacks each layer into a directory
 *   of its own, where RemoveAll reaches only what that layer wrote. We create
 *   the parents and keep what is there (present wherever either puts it),
 *   recorded "pax-global"; names placed later are placed as if it were gone.
 * The parent of a marker, whiteout or `g` entry is created when missing, as
 * both runtimes do before looking at the name.
 *
 * Decisions:
 * - Parents: an entry's parent directory is resolved as containerd's
 *   fs.RootPath does (root-path.ts): through symlinks, inside the root. A
 *   missing parent is created (mkparent) as mode 0755, uid 0, gid 0 (the
 *   group of a setgid parent), `layer` = the layer that needed it; a
 *   non-directory in the way is replaced by one
 *   (where the runtimes fail the layer). Implied dirs are not shadowed when
 *   removed: they never shipped. A write redirected through a symlink is
 *   recorded "link-escape" (it is how hostile layers write outside their
 *   apparent directory); a symlink loop drops the entry, also "link-escape".
 * - Hardlinks make names of one inode (inode.ts): the link header's mode,
 *   owner and xattrs apply to every name; content stays the data-carrying
 *   entry's. A later overwrite or whiteout of one name unlinks only that
 *   name; an inode's first live name is listed as the file, the others as
 *   hardlinks to it. link() does not follow a final symlink: a hardlink to a symlink is
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
import type { FileEntry, ShadowedEntry, UnsafeEntry } from "./types.js";
import type { LayerIndex, MarkKind } from "./layer-index.js";
import { basename, joinPath, parentOf } from "./paths.js";
import { MergedFileIndex, type FileIndex } from "./file-index.js";
import { lstat, rootPath } from "./root-path.js";
import type { UnsafeCount } from "./unsafe-log.js";
import { DerivedEntry } from "./derived-entry.js";
import { IMPLIED_DIR_MODE } from "./merge-tree.js";
import { LinkTree } from "./merge-links.js";
import type { WasteSummary } from "./wasted-paths.js";

export interface MergedFilesystem {
  files: FileIndex;
  shadowed: ShadowedEntry[];
  /** At most MAX_UNSAFE_LISTED per (layer, reason); `unsafeCounts` has the totals. */
  unsafe: UnsafeEntry[];
  unsafeCounts: UnsafeCount[];
  wastedBytes: number;
  /** The largest wasted paths (wasted-paths.ts); with `rest`, they sum to wastedBytes. */
  waste: WasteSummary;
}

export { IMPLIED_DIR_MODE };

class Tree extends LinkTree {

  apply(l: LayerIndex): void {
    this.layer = l.index;
    this.current = l;
    this.removedHere = l.marks.kind.includes("opaque") ? new Set() : undefined;
    this.log.absorb(l.unsafe, l.unsafeCounts);
    const { kind, path, at } = l.marks;
    const entries = l.entries;
    let m = 0;
    for (let i = 0; i < entries.length; i++) {
      while (m < at.length && at[m] === i) this.applyMark(kind[m]!, path[m++]!);
      this.applyEntry(entries[i]!);
    }
    while (m < at.length) this.applyMark(kind[m]!, path[m++]!);
  }

  private applyMark(kind: MarkKind, path: string): void {
    if (kind === "whiteout") {
      const dir = this.markerDir(parentOf(path), path);
      if (dir !== undefined) this.remove(joinPath(dir, basename(path)), "whiteout");
    } else if (kind === "opaque") {
      this.opaque(path);
    } else if (kind === "pax-global") {
      this.globalHeader(path);
    } else {
      this.markDir(path, path);
    }
  }

  /** `.wh..wh..opq` in `d`: hides what this layer has not written (the runtimes' unpackedPaths). */
  private opaque(d: string): void {
    // moby walks the marker's directory without following it when it is itself a symlink, and
    // hides nothing there; containerd resolves it and hides the target's children. Kept: stricter.
    const at = lstat(this.lookup, d);
    if (at?.type === "symlink") {
      this.flag(d, "link-escape", "opaque marker in a symlinked directory: containerd hides the target's children, moby nothing; kept");
      this.markDir(d, d); // containerd's mkparent still makes the target directory
      return;
    }
    // A non-directory there: moby's filepath.Walk of it hides nothing; containerd's mkparent fails the layer.
    if (at !== undefined && at.type !== "dir") return;
    const dir = this.markerDir(d, d);
    if (dir === undefined) return;
    const todo = [dir];
    while (todo.length > 0) {
      const kids = this.dirs.get(todo.pop()!);
      if (kids === undefined) continue;
      for (const k of [...kids]) {
        const e = this.files.get(k)!;
        if (!this.writtenHere(e)) this.remove(k, "opaque");
        else if (e.type === "dir") todo.push(k);
      }
    }
  }

  /** Whether this layer wrote `e`'s path (an implied parent is not written, as mkparent/MkdirAll do not record it). */
  private writtenHere(e: FileEntry): boolean {
    return (e.layer === this.layer && !this.implied.has(e)) || this.removedHere!.has(e.path);
  }

  /**
   * The directory `dir` for a mark that only one runtime acts on: missing
   * parents are created as both do, but a non-directory on the way is left
   * alone (moby's Lstat of the parent fails with ENOTDIR, so it creates
   * nothing and goes on; containerd's mkparent fails the layer). Undefined
   * when it cannot be had.
   */
  private markDir(dir: string, name: string): string | undefined {
    const real = rootPath(this.lookup, dir, true);
    if (real === null) {
      this.flag(name, "link-escape", "symlink loop in parent path; dropped");
      return undefined;
    }
    let end = 0;
    while (end >= 0) {
      end = real.indexOf("/", end + 1);
      const e = this.lookup(end < 0 ? real : real.slice(0, end));
      if (e === undefined) break;
      if (e.type !== "dir") return undefined;
    }
    return this.placeDir(real);
  }

  /**
   * A `g` entry named `path`: its parents are created, what is there is
   * kept. Names placed later do not see what was kept (MergeTree.ghosts):
   * the apply loop removed it, so a kept symlink is not followed and a kept
   * non-directory in the way of a parent becomes a directory, as where
   * nothing is; a kept directory is used as it is, children and all.
   */
  private globalHeader(path: string): void {
    const dir = this.markDir(parentOf(path), path);
    if (dir === undefined) return;
    const target = joinPath(dir, basename(path));
    const top = this.lookup(target);
    if (target === "/" || top === undefined) return;
    this.flag(
      target,
      "pax-global",
      `containerd and moby's UnpackLayer remove whatever is at ${target}; docker's overlay2 driver ignores the header; kept`,
    );
    const ghosts = (this.ghosts ??= new Set());
    const todo = [top];
    while (todo.length > 0) {
      const e = todo.pop()!;
      ghosts.add(e);
      for (const k of this.dirs.get(e.path) ?? []) todo.push(this.files.get(k)!);
    }
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
}

/** Applies `layers` in array order (bottom first). */
export function mergeLayers(layers: readonly LayerIndex[]): MergedFilesystem {
  const t = new Tree(layers[0]?.index ?? 0);
  for (const l of layers) t.apply(l);
  const links = t.settle();
  const unsafeCounts = t.log.tallies();
  const files = new MergedFileIndex(t.files, t.dirs, links, t.shadowed, t.log.listed, unsafeCounts);
  return { files, shadowed: t.shadowed, unsafe: t.log.listed, unsafeCounts, wastedBytes: t.wasted, waste: t.waste.summary() };
}
