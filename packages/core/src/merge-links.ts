/**
 * Hardlink entries during the merge (merge-layers.ts applies the layers):
 * link() makes another name of the inode its target names, as both
 * runtimes' createTarFile do (os.Link, then the link header's owner, xattrs
 * and mode on the shared inode: inode.ts), with moby's departures where the
 * runtimes part ways: its copy of a `/.wh..wh.plnk` entry (aufsHardlinks,
 * https://github.com/moby/moby/blob/v20.10.24/pkg/archive/diff.go), its
 * lexical link source and its chmod through a symlink for names that are
 * not plain (moby-link.ts). containerd's resolution is
 * https://github.com/containerd/containerd/blob/v1.6.20/archive/tar.go
 * hardlinkRootPath (root-path.ts).
 */
import type { FileEntry } from "./types.js";
import type { LayerIndex } from "./layer-index.js";
import { parentOf } from "./paths.js";
import { hardlinkRootPath } from "./root-path.js";
import { addAufsCopy, applyLinkHeader, CAPABILITY_XATTR, keepStronger, nameOf, newInode } from "./inode.js";
import { DerivedEntry } from "./derived-entry.js";
import { MergeTree } from "./merge-tree.js";
import { AUFS_LINK_DIR } from "./layer-builder.js";
import { mobyChmodTarget, mobyLinkSource } from "./moby-link.js";

export class LinkTree extends MergeTree {
  /** The layer being applied. */
  protected current: LayerIndex | undefined;

  /** A hardlink entry `e`, placed as `entry`, over `old` (if any). */
  protected link(entry: FileEntry, e: FileEntry, old: FileEntry | undefined): void {
    const raw = this.current?.linkNames.get(e);
    const targetPath = raw !== undefined ? hardlinkRootPath(this.lookup, raw) : this.linkPath(e.linkTarget ?? "/");
    let t = targetPath === null ? undefined : this.files.get(targetPath);
    // The runtime unlinks the entry's own path (a directory with its subtree) before link().
    if (t !== undefined && old !== undefined && (t.path === entry.path || t.path.startsWith(`${entry.path}/`))) t = undefined;
    const plnk = this.current?.aufsLinks.get(e);
    if ((t === undefined || t.type === "dir") && plnk !== undefined) return this.aufsCopy(entry, e, plnk, old);
    // moby's own link source for a name that is not plain, resolved before anything changes.
    const m = raw !== undefined ? mobyLinkSource(this.lookup, e.linkTarget ?? "/") : undefined;
    if ((t === undefined || t.type === "dir") && m !== undefined) {
      if (!(old !== undefined && (m.path === entry.path || m.path.startsWith(`${entry.path}/`)))) {
        t = m;
        this.flag(e.path, "link-escape", `hardlink target ${JSON.stringify(raw)}: containerd finds nothing to link and fails this layer; moby links ${m.path}`);
      }
    }
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
    // moby skips a link named under /.wh..wh.*: the inode keeps what it had there; the stronger stays.
    const before = this.current?.mobySkippedLinks.has(e) === true ? { mode: ino.mode, uid: ino.uid, gid: ino.gid, xattrs: ino.xattrs } : undefined;
    applyLinkHeader(ino, e);
    if (before !== undefined) keepStronger(ino, before);
    if (plnk !== undefined) addAufsCopy(ino, plnk);
    // A second name of a symlink, device or FIFO is one: lookups must see its type.
    const name = ino.data.type === "file" ? entry : nameOf(entry, ino, undefined, true);
    this.inodeOf.set(name, ino);
    ino.names.push(name);
    this.insert(name);
    // moby linked something else (a symlink, or another file than containerd's): its chown and chmod land there too.
    if (m !== undefined && m.path !== entry.path && (m.type === "symlink" || m.path !== t.path)) this.mobyHeader(raw!, m, e);
  }

  /**
   * A hardlink into /.wh..wh.plnk whose target containerd cannot link (so
   * containerd fails the layer): moby's UnpackLayer extracts the plnk
   * entry's header and content at the link's path instead (aufsHardlinks,
   * https://github.com/moby/moby/blob/v20.10.24/pkg/archive/diff.go). Listed
   * as that copy, whose content is the plnk entry's.
   */
  private aufsCopy(entry: FileEntry, e: FileEntry, plnk: FileEntry, old: FileEntry | undefined): void {
    if (old !== undefined) this.remove(entry.path, "overwrite");
    const copy = new DerivedEntry(plnk, entry.path, plnk);
    copy.layer = e.layer;
    this.insert(copy);
    this.flag(e.path, "aufs-name", `hardlink into ${AUFS_LINK_DIR}: containerd cannot link it and fails this layer; moby extracts a copy of the ${AUFS_LINK_DIR} entry, listed`);
  }

  /**
   * moby linked `m`, not what containerd linked: its Lchown of the new name
   * lands on `m` itself and its chmod, unless os.Lstat(linkname) is a
   * symlink, on what `m` resolves to (moby-link.ts). The header's special
   * bits (with the owner or group they come with) and capability are kept
   * there, as moby leaves them.
   */
  private mobyHeader(raw: string, m: FileEntry, e: FileEntry): void {
    const t = mobyChmodTarget(this.lookup, raw, m.path);
    if (t === undefined) return;
    const owned = m.type !== "symlink"; // Lchown and Lsetxattr reach the file itself, not a symlink's target
    const header = { mode: e.mode, uid: owned ? e.uid : t.uid, gid: owned ? e.gid : t.gid, xattrs: owned ? e.xattrs : undefined };
    const extra = e.mode & 0o7000 & ~t.mode;
    const cap = header.xattrs?.[CAPABILITY_XATTR] !== undefined && t.xattrs?.[CAPABILITY_XATTR] === undefined;
    if (extra === 0 && !cap) return;
    const ino = this.inodeOf.get(t);
    if (ino !== undefined) keepStronger(ino, header);
    else this.replaceAttrs(t, header);
    const via = m.type === "symlink" ? `follows the symlink ${m.path} to` : "lands on";
    this.flag(t.path, "link-escape", `moby links ${m.path} for hardlink ${e.path}; its chmod ${via} ${t.path} and sets mode ${e.mode.toString(8)}; kept`);
  }

  /** hardlinkRootPath for a plain target: verbatim when its parent is a real directory. */
  private linkPath(target: string): string | null {
    if (this.files.get(parentOf(target))?.type === "dir") return target;
    return hardlinkRootPath(this.lookup, target.slice(1));
  }
}
