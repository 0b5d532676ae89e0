/**
 * moby's side of a hardlink entry whose stored target name is not plain
 * (a ".." component or a trailing "/"), where it and containerd part ways
 * (https://github.com/moby/moby/blob/v20.10.24/pkg/archive/archive.go
 * createTarFile and handleLChmod in archive_unix.go; containerd's
 * hardlinkRootPath in https://github.com/containerd/containerd/blob/v1.6.20/archive/tar.go):
 *
 * - moby links filepath.Join("/", linkname): ".." is applied lexically
 *   first, then the kernel follows the symlinks in the parent components
 *   (not the last one). containerd resolves the name component by
 *   component through symlinks and may find a directory or nothing, and so
 *   fail the layer where moby links a file or a symlink.
 * - After the link, moby chmods the new name (os.Chmod, which follows a
 *   symlink) unless os.Lstat(linkname), relative to the root, is a
 *   symlink. With ".." after a symlink, or a trailing "/", that Lstat can
 *   find a directory while the name linked is a symlink: the chmod then
 *   lands on whatever the symlink points at.
 */
import type { FileEntry } from "./types.js";
import { resolveSymlinks } from "./file-index.js";

type Lookup = (path: string) => FileEntry | undefined;

/** What moby's os.Link(filepath.Join("/", linkname), …) links: `cleaned` is that join. */
export function mobyLinkSource(lookup: Lookup, cleaned: string): FileEntry | undefined {
  const p = resolveSymlinks(lookup, cleaned, { followFinal: false, strict: true });
  const t = p === null ? undefined : lookup(p);
  return t === undefined || t.type === "dir" ? undefined : t;
}

/**
 * Where moby's chmod of a new name of `symlink` goes: the symlink's target
 * (kernel lookup), when os.Lstat(linkname) is not a symlink. Undefined when
 * the chmod is skipped or lands nowhere.
 */
export function mobyChmodTarget(lookup: Lookup, linkname: string, symlink: string): FileEntry | undefined {
  const trailing = linkname.charCodeAt(linkname.length - 1) === 47;
  const l = resolveSymlinks(lookup, linkname, { followFinal: trailing, strict: true });
  const at = l === null ? undefined : lookup(l);
  if (at === undefined || at.type === "symlink") return undefined;
  const t = resolveSymlinks(lookup, symlink, { followFinal: true, strict: true });
  return t === null ? undefined : lookup(t);
}
