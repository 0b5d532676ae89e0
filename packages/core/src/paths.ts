/**
 * Canonical absolute paths.
 *
 * Every FileEntry.path is canonical: it starts with "/", has no empty, "." or
 * ".." components and no trailing "/"; the root is "/". These helpers run
 * once per tar entry, so they use indexOf/charCodeAt loops rather than regexes.
 * Names are strings whose invalid UTF-8 bytes are lone surrogates (tar/names.ts):
 * they are compared and sliced as they are, never normalised.
 *
 * Two ".." policies, for two kinds of names:
 * - `cleanName`, for tar entry names and hardlink targets: the runtime's.
 *   containerd and moby both apply Go's filepath.Clean to an entry name before
 *   anything else (https://github.com/containerd/containerd/blob/v1.6.20/archive/tar.go
 *   applyNaive; https://github.com/moby/moby/blob/v20.10.24/pkg/archive/diff.go
 *   UnpackLayer), so "x/../etc/passwd" is written to /etc/passwd. A relative
 *   name that still climbs above the root after cleaning ("../usr/bin/su") is
 *   clamped into the root by containerd (fs.RootPath,
 *   https://github.com/containerd/continuity/blob/v0.3.0/fs/path.go). moby's
 *   breakout check would refuse it, but docker unpacks chrooted at the
 *   layer root (https://github.com/moby/moby/blob/v20.10.24/pkg/chrootarchive/diff_unix.go),
 *   where filepath.Join("/", "../usr/bin/su") is /usr/bin/su: the same place.
 *   We place it there and the caller records it (`climbsAboveRoot`).
 * - `canonicalPath`, for names that must never climb (manifest.json members,
 *   queries): any ".." component makes the name unsafe (null), never clamped.
 */

const SLASH = 47; // "/"
const DOT = 46; // "."

/**
 * "./a/b/", "/a/b", "a//b", "a/./b" → "/a/b"; "", ".", "./", "/" → "/";
 * any ".." component → null (see cleanName for tar entry names).
 */
export function canonicalPath(name: string): string | null {
  // Fast path for the usual "./usr/bin/x", "usr/bin/", "/etc/passwd": one
  // scan, then a single slice, instead of concatenating component by component.
  const start = name.charCodeAt(0) === SLASH ? 1 : name.charCodeAt(0) === DOT && name.charCodeAt(1) === SLASH ? 2 : 0;
  let end = name.length;
  if (end > start && name.charCodeAt(end - 1) === SLASH) end--;
  if (end > start && allPlain(name, start, end)) {
    return start === 1 && end === name.length ? name : `/${name.slice(start, end)}`;
  }
  return slowCanonical(name);
}

/** True when name[start, end) has no empty, "." or ".." component. */
function allPlain(name: string, start: number, end: number): boolean {
  let seg = start;
  for (let i = start; i <= end; i++) {
    if (i < end && name.charCodeAt(i) !== SLASH) continue;
    const len = i - seg;
    if (len === 0) return false;
    if (name.charCodeAt(seg) === DOT && (len === 1 || (len === 2 && name.charCodeAt(seg + 1) === DOT))) return false;
    seg = i + 1;
  }
  return true;
}

/**
 * A tar entry name as the runtime places it: Go's filepath.Clean, rooted,
 * with ".." at the root staying at the root (containerd's clamping).
 * "x/../etc/passwd" → "/etc/passwd", "usr/lib/../bin/sh" → "/usr/bin/sh",
 * "../usr/bin/su" → "/usr/bin/su", ".." → "/". Never null.
 */
export function cleanName(name: string): string {
  const start = name.charCodeAt(0) === SLASH ? 1 : name.charCodeAt(0) === DOT && name.charCodeAt(1) === SLASH ? 2 : 0;
  let end = name.length;
  if (end > start && name.charCodeAt(end - 1) === SLASH) end--;
  if (end > start && allPlain(name, start, end)) {
    return start === 1 && end === name.length ? name : `/${name.slice(start, end)}`;
  }
  const parts: string[] = [];
  const n = name.length;
  let i = 0;
  while (i < n) {
    let j = name.indexOf("/", i);
    if (j < 0) j = n;
    const len = j - i;
    if (len === 2 && name.charCodeAt(i) === DOT && name.charCodeAt(i + 1) === DOT) parts.pop();
    else if (len > 1 || (len === 1 && name.charCodeAt(i) !== DOT)) parts.push(name.slice(i, j));
    i = j + 1;
  }
  return parts.length === 0 ? "/" : `/${parts.join("/")}`;
}

/**
 * True when Go's filepath.Clean(name) starts with "..": a relative name that
 * climbs above the root ("../x", "a/../../x"). containerd clamps it, and so
 * does moby chrooted at the layer root (we do, in cleanName). A rooted name
 * ("/../x") never climbs: Clean drops ".." at "/".
 */
export function climbsAboveRoot(name: string): boolean {
  if (name.charCodeAt(0) === SLASH) return false;
  let depth = 0;
  const n = name.length;
  let i = 0;
  while (i < n) {
    let j = name.indexOf("/", i);
    if (j < 0) j = n;
    const len = j - i;
    if (len === 2 && name.charCodeAt(i) === DOT && name.charCodeAt(i + 1) === DOT) {
      if (depth === 0) return true;
      depth--;
    } else if (len > 1 || (len === 1 && name.charCodeAt(i) !== DOT)) {
      depth++;
    }
    i = j + 1;
  }
  return false;
}

/** True when some component of `name` is "..". */
export function hasDotDot(name: string): boolean {
  for (let i = name.indexOf(".."); i >= 0; i = name.indexOf("..", i + 1)) {
    const before = i === 0 || name.charCodeAt(i - 1) === SLASH;
    const after = i + 2 === name.length || name.charCodeAt(i + 2) === SLASH;
    if (before && after) return true;
  }
  return false;
}

/**
 * True when the last component of canonical `path` is exactly `name` (no
 * slash in it). Allocation-free, for wantsContent prefilters that run on
 * every entry: hasBasename("/e/passwd", "passwd").
 */
export function hasBasename(path: string, name: string): boolean {
  const at = path.length - name.length;
  return at > 0 && path.charCodeAt(at - 1) === SLASH && path.startsWith(name, at);
}

function slowCanonical(name: string): string | null {
  let out = "";
  const n = name.length;
  let i = 0;
  while (i < n) {
    let j = name.indexOf("/", i);
    if (j < 0) j = n;
    const len = j - i;
    if (len === 2 && name.charCodeAt(i) === DOT && name.charCodeAt(i + 1) === DOT) return null;
    // Skip empty ("a//b", leading or trailing "/") and "." components.
    if (len > 1 || (len === 1 && name.charCodeAt(i) !== DOT)) {
      out += i === 0 && j === n ? `/${name}` : `/${name.slice(i, j)}`;
    }
    i = j + 1;
  }
  return out === "" ? "/" : out;
}

/** Parent of a canonical path; the root is its own parent (like dirname). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/** Last component of a canonical path; "" for the root. */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Joins a canonical directory and one component (no "/" in `name`). */
export function joinPath(dir: string, name: string): string {
  return dir.length === 1 && dir.charCodeAt(0) === SLASH ? `/${name}` : `${dir}/${name}`;
}

/**
 * Components of any slash-separated path, pushed in reverse onto `stack` so
 * that `stack.pop()` yields them first to last. Empty and "." components are
 * dropped; ".." is kept (symlink resolution interprets it).
 */
export function pushComponentsReversed(stack: string[], path: string): void {
  let end = path.length;
  while (end > 0) {
    const start = path.lastIndexOf("/", end - 1) + 1;
    const len = end - start;
    if (len > 1 || (len === 1 && path.charCodeAt(start) !== DOT)) stack.push(path.slice(start, end));
    end = start - 1;
  }
}
