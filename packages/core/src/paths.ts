/**
 * Canonical absolute paths for tar entry names (SPECS.md §6).
 *
 * Every FileEntry.path is canonical: it starts with "/", has no empty, "." or
 * ".." components and no trailing "/"; the root is "/". These helpers run
 * once per tar entry, so they use indexOf/charCodeAt loops rather than regexes.
 *
 * ".." policy: any ".." component makes a name unsafe (null), even one that
 * would stay inside the root ("a/../b"). Real layer producers never write
 * "..", so a name that contains one is hostile-looking; moby and ggcr reject
 * such layers, containerd clamps them into the root (SPECS.md §6). We never
 * clamp: the caller records an UnsafeEntry and keeps the entry out of the tree.
 */

const SLASH = 47; // "/"
const DOT = 46; // "."

/**
 * "./a/b/", "/a/b", "a//b", "a/./b" → "/a/b"; "", ".", "./", "/" → "/";
 * any ".." component → null.
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
