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

/** What every name of an inode shows, besides its data. */
export type InodeAttrs = Pick<Inode, "mode" | "uid" | "gid" | "xattrs">;

/**
 * The stronger of two results on the shared inode, where the runtimes give
 * different ones: special bits (setuid, setgid, sticky) that only `other`
 * has are added, a setuid or setgid bit with the owner or group it has
 * there; its capability when the inode has none.
 */
export function keepStronger(ino: InodeAttrs, other: InodeAttrs): void {
  const extra = other.mode & SPECIAL_BITS & ~ino.mode;
  if (extra !== 0) {
    ino.mode |= extra;
    if (extra & S_ISUID) ino.uid = other.uid;
    if (extra & S_ISGID) ino.gid = other.gid;
  }
  const cap = other.xattrs?.[CAPABILITY_XATTR];
  if (cap !== undefined && ino.xattrs?.[CAPABILITY_XATTR] === undefined) {
    ino.xattrs = { ...ino.xattrs, [CAPABILITY_XATTR]: cap };
  }
}

/**
 * moby extracts a hardlink into `/.wh..wh.plnk/` as a copy of the plnk
 * file's header and content instead (UnpackLayer's aufsHardlinks,
 * https://github.com/moby/moby/blob/v20.10.24/pkg/archive/diff.go), where
 * containerd links the extracted plnk file: the verdict is the stronger of
 * the two.
 */
export function addAufsCopy(ino: Inode, plnk: FileEntry): void {
  keepStronger(ino, { mode: plnk.mode, uid: plnk.uid, gid: plnk.gid, xattrs: plnk.xattrs });
}

/**
 * The entry name `n` shows as a name of `ino`: its own path and layer, the
 * inode's type, metadata and size. A name of a regular file is a "hardlink"
 * to `linkTo` (another live name of the inode) when that is given, else the
 * file itself; a name of anything else has the data's type. `n` is returned
 * as it is when it already shows all that; else a new entry whose origin is
 * the data (`fresh` forces one).
 */
export function nameOf(n: FileEntry, ino: Inode, linkTo: string | undefined, fresh = false): FileEntry {
  const d = ino.data;
  const type = d.type === "file" && linkTo !== undefined ? "hardlink" : d.type;
  const size = d.type === "file" ? d.size : 0;
  const link = type === "hardlink" ? linkTo : d.linkTarget;
  if (
    !fresh &&
    n.type === type &&
    n.size === size &&
    n.linkTarget === link &&
    n.mode === ino.mode &&
    n.uid === ino.uid &&
    n.gid === ino.gid &&
    n.xattrs === ino.xattrs
  ) {
    return n;
  }
  const f = new DerivedEntry(n, n.path, d);
  f.type = type;
  f.mode = ino.mode;
  f.uid = ino.uid;
  f.gid = ino.gid;
  f.size = size;
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
 * inode's final metadata. The first live name (the data's own name while it
 * lives) shows the file and stands for the inode; every other live name is
 * a hardlink to it, so a listing never points a hardlink at a path that now
 * holds something else (a name whose file was overwritten or whited out
 * stays a file, as on disk). With no live name, a detached copy of the
 * data's name (same path and layer, the inode's metadata) stands for the
 * inode of its shadowed names: one object per inode.
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
    let r: FileEntry | undefined;
    for (const n of ino.names) {
      if (files.get(n.path) !== n) continue;
      const f = nameOf(n, ino, r?.path);
      if (f !== n) files.set(n.path, f);
      if (r === undefined) r = f;
      else if (f.type === "hardlink") finals.push(f);
      liveData.add(ino.data);
    }
    if (r === undefined) r = nameOf(ino.names[0]!, ino, undefined, true);
    rep.set(ino, r);
    for (const f of finals) links.set(f, r);
  }
  for (const [s, ino] of shadowedNames) if (s.type === "hardlink") links.set(s, rep.get(ino)!);
  return { links, liveData };
}
