/**
 * Where containerd writes: its fs.RootPath, over our tree instead of a disk
 * (https://github.com/containerd/continuity/blob/v0.3.0/fs/path.go, used by
 * https://github.com/containerd/containerd/blob/v1.6.20/archive/tar.go
 * applyNaive for an entry's parent directory and hardlinkRootPath for a
 * hardlink's target).
 *
 * RootPath walks a path component by component from the root. Each
 * component is joined lexically to the directory resolved so far (Go's
 * filepath.Join: "." is dropped, ".." removes the last component and stays
 * at "/"), then lstat'ed: a symlink is replaced by its target, joined to
 * that same directory when relative, restarted at the root when absolute.
 * A pass that followed any symlink is repeated on its result, because a
 * target may itself run through symlinks; a pass that followed none ends
 * the walk. More than 255 symlinks in all is an error (the layer fails).
 *
 * This differs from the kernel's lookup (file-index.ts resolveSymlinks) in
 * one way: ".." inside a symlink target is applied lexically before the
 * components in front of it are resolved. Entry names are resolved this way
 * because that is where containerd puts the file; lookups at run time
 * (which user, which shell) use the kernel's rules.
 */
import type { FileEntry } from "./types.js";
import { resolveSymlinks } from "./file-index.js";
import { cleanName } from "./paths.js";

/** continuity's walkLink: `if *linksWalked > 255 { return errTooManyLinks }`. */
export const ROOT_PATH_MAX_LINKS = 255;

type Lookup = (path: string) => FileEntry | undefined;

/** Go's filepath.Join(dir, rel) for an absolute, clean `dir`. */
function joinClean(dir: string, rel: string): string {
  return cleanName(dir === "/" ? `/${rel}` : `${dir}/${rel}`);
}

/**
 * os.Lstat inside the root: the kernel follows symlinks in the parent
 * components and not in the last one. Missing, or under a non-directory,
 * reads as "not a symlink", as walkLink treats a path that does not exist.
 */
export function lstat(lookup: Lookup, path: string): FileEntry | undefined {
  const e = lookup(path);
  if (e !== undefined) return e; // stored paths have only directories above them
  const real = resolveSymlinks(lookup, path, { followFinal: false, strict: true });
  return real === null || real === path ? undefined : lookup(real);
}

/**
 * fs.RootPath(root, path) relative to the root: the canonical path
 * containerd writes to, following symlinks in every component of `path`
 * (the last one too). Null when more than ROOT_PATH_MAX_LINKS symlinks are
 * followed: a loop, on which containerd fails the layer.
 *
 * A symlink met as the last component of a pass hands its target on as
 * stored when it is absolute, or when it is the only component of a
 * relative path (walkLinks' `dir == ""` case), so the next pass resolves its
 * components before any ".." in it; elsewhere the target is joined (and
 * cleaned) with what follows, as walkLinks does. containerd passes the
 * cleaned entry name, which is relative unless the tar stored it with a
 * leading "/": `relative` says which.
 */
export function rootPath(lookup: Lookup, path: string, relative = true): string | null {
  let walked = 0;
  let todo = path;
  let rel = relative;
  for (;;) {
    const before = walked;
    let dir = "/";
    let handOn: string | undefined;
    let n = todo.length;
    while (n > 0 && todo.charCodeAt(n - 1) === 47) n--;
    let first = true;
    let i = 0;
    while (i < n) {
      let j = todo.indexOf("/", i);
      if (j < 0 || j > n) j = n;
      if (j > i) {
        if (walked > ROOT_PATH_MAX_LINKS) return null;
        const next = joinClean(dir, todo.slice(i, j));
        const e = next === "/" ? undefined : lstat(lookup, next);
        handOn = undefined;
        if (e?.type === "symlink") {
          walked++;
          const target = e.linkTarget ?? "";
          const absolute = target.charCodeAt(0) === 47;
          if (j === n && (absolute || (first && rel))) handOn = target;
          dir = absolute ? cleanName(target) : joinClean(dir, target);
        } else {
          dir = next;
        }
        first = false;
      }
      i = j + 1;
    }
    if (walked === before) return dir;
    todo = handOn ?? dir;
    rel = todo.charCodeAt(0) !== 47;
  }
}

/**
 * containerd's hardlinkRootPath: the parent part of the stored link name
 * (up to its last "/") through rootPath, then the last part joined
 * lexically and not followed (link() does not follow a final symlink).
 */
export function hardlinkRootPath(lookup: Lookup, linkname: string): string | null {
  const slash = linkname.lastIndexOf("/");
  const parent = slash < 0 ? "/" : rootPath(lookup, linkname.slice(0, slash + 1), linkname.charCodeAt(0) !== 47);
  return parent === null ? null : joinClean(parent, linkname.slice(slash + 1));
}
