/**
 * A hardlinked inode during the merge: what every one of its names shows.
 *
 * Both runtimes create a hardlink entry with link() and then apply the LINK
 * header's own metadata to the new name, which is the shared inode:
 * Lchown(uid, gid), setxattr of its xattrs, then chmod(mode) unless it is a
 * symlink (https://github.com/containerd/containerd/blob/v1.6.20/archive/tar.go
 * createTarFile, with lchmod in tar_mostunix.go;
 * https://github.com/moby/moby/blob/v20.10.24/pkg/archive/archive.go
 * createTarFile and handleLChmod in archive_unix.go). On Linux, chown of a
 * non-directory drops the security.capability xattr even for root
 * (notify_change with ATTR_KILL_PRIV, then cap_inode_killpriv:
 * https://github.com/torvalds/linux/blob/master/fs/attr.c,
 * https://github.com/torvalds/linux/blob/master/security/commoncap.c). So
 * after a hardlink header every name of the inode has that header's mode,
 * uid, gid and capability. moby skips the chmod when os.Lstat(hdr.Linkname)
 * fails relative to its working directory; we always apply it.
 */
import type { FileEntry, ShadowedEntry } from "./types.js";
import { DerivedEntry } from "./derived-entry.js";

export const CAPABILITY_XATTR = "security.capability";

const SPECIAL_BITS = 0o7000;
const S_ISUID = 0o4000;
const S_ISGID = 0o2000;

export interface Inode {
  /** The walk-time entry whose content (or link target, device) the inode holds. */
  readonly data: FileEntry;
  mode: number;
  uid: number;
  gid: number;
  xattrs: Record<string, Uint8Array> | undefined;
  /** Tree entries made names of it, first the one that held the data; some may be gone since. */
  readonly names: FileEntry[];
}

/** The inode behind tree entry `holder` (which carries `data`'s content), before any link header. */
export function newInode(holder: FileEntry, data: FileEntry): Inode {
  return { data, mode: holder.mode, uid: holder.uid, gid: holder.gid, xattrs: holder.xattrs, names: [holder] };
}

function hasKeys(o: Record<string, unknown>): boolean {
  for (const _ in o) return true;
  return false;
}

/** A hardlink header `link` applied to the inode it names: Lchown, setxattr, chmod. */
export function applyLinkHeader(ino: Inode, link: FileEntry): void {
  ino.uid = link.uid;
  ino.gid = link.gid;
  let x = ino.xattrs;
  if (x !== undefined && x[CAPABILITY_XATTR] !== undefined) {
    x = { ...x };
    delete x[CAPABILITY_XATTR];
  }
  if (link.xattrs !== undefined) x = { ...x, ...link.xattrs };
  ino.xattrs = x !== undefined && hasKeys(x) ? x : undefined;
  if (ino.data.type !== "symlink") ino.mode = link.mode;
}

/**
 * moby extracts a hardlink into `/.wh..wh.plnk/` as a copy of the plnk
 * file's header and content instead (UnpackLayer's aufsHardlinks,
 * https://github.com/moby/moby/blob/v20.10.24/pkg/archive/diff.go), where
 * containerd links the extracted plnk file. The verdict is the stronger of
 * the two, on the shared inode: special bits (setuid, setgid, sticky) that
 * only moby's copy has are added, a setuid or setgid bit with the owner or
 * group it has there; its capability when the link left none.
 */
export function addAufsCopy(ino: Inode, plnk: FileEntry): void {
  const extra = plnk.mode & SPECIAL_BITS & ~ino.mode;
  if (extra !== 0) {
    ino.mode |= extra;
    if (extra & S_ISUID) ino.uid = plnk.uid;
    if (extra & S_ISGID) ino.gid = plnk.gid;
  }
  const cap = plnk.xattrs?.[CAPABILITY_XATTR];
  if (cap !== undefined && ino.xattrs?.[CAPABILITY_XATTR] === undefined) {
    ino.xattrs = { ...ino.xattrs, [CAPABILITY_XATTR]: cap };
  }
}

/**
 * The entry name `n` shows as a name of `ino`: its own path and layer, the
 * inode's type, metadata and size. The first name keeps the data's type;
 * any other name of a regular file is a "hardlink" to its stored target.
 * The data's own name is returned as it is when it already shows all that;
 * any other name is a new entry whose origin is the data (`fresh` forces one).
 */
export function nameOf(n: FileEntry, ino: Inode, fresh = false): FileEntry {
  const d = ino.data;
  const first = n === ino.names[0];
  const type = first || d.type !== "file" ? d.type : "hardlink";
  const size = d.type === "file" ? d.size : 0;
  if (!fresh && first && n.mode === ino.mode && n.uid === ino.uid && n.gid === ino.gid && n.xattrs === ino.xattrs) return n;
  const f = new DerivedEntry(n, n.path, d);
  f.type = type;
  f.mode = ino.mode;
  f.uid = ino.uid;
  f.gid = ino.gid;
  f.size = size;
  const link = type === "hardlink" ? n.linkTarget : d.linkTarget;
  if (link !== undefined) f.linkTarget = link;
  else delete f.linkTarget;
  if (ino.xattrs !== undefined) f.xattrs = ino.xattrs;
  else delete f.xattrs;
  return f;
}

export interface Settled {
  /** Every hardlink-typed name, final or shadowed → the entry standing for its inode. */
  links: Map<FileEntry, FileEntry>;
  /** Data entries some final name still shows. */
  liveData: Set<FileEntry>;
}

/**
 * After the last layer: every live name of every inode in `files` gets the
 * inode's final metadata. A hardlink's inode is stood for by the data's own
 * name when that is still live, else by a detached copy of it (same path and
 * layer as it had, the inode's metadata): one object per inode.
 */
export function settleInodes(
  inodes: readonly Inode[],
  files: Map<string, FileEntry>,
  shadowedNames: readonly (readonly [ShadowedEntry, Inode])[],
): Settled {
  const rep = new Map<Inode, FileEntry>();
  const links = new Map<FileEntry, FileEntry>();
  const liveData = new Set<FileEntry>();
  const finals: FileEntry[] = [];
  for (const ino of inodes) {
    finals.length = 0;
    for (const n of ino.names) {
      if (files.get(n.path) !== n) continue;
      const f = nameOf(n, ino);
      if (f !== n) files.set(n.path, f);
      if (n === ino.names[0]) rep.set(ino, f);
      if (f.type === "hardlink") finals.push(f);
      liveData.add(ino.data);
    }
    let r = rep.get(ino);
    if (r === undefined) rep.set(ino, (r = nameOf(ino.names[0]!, ino, true)));
    for (const f of finals) links.set(f, r);
  }
  for (const [s, ino] of shadowedNames) if (s.type === "hardlink") links.set(s, rep.get(ino)!);
  return { links, liveData };
}
