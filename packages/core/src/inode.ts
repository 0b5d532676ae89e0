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
import type { FileEntry } from "./types.js";

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
