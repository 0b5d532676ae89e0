/**
 * Where the wasted bytes are: dive's "top wasted files"
 * (https://github.com/wagoodman/dive#ui-configuration, the image details
 * pane), aggregated into directories where one directory explains them
 * better than its files, e.g. `/var/cache/apt` written in layer 2 and
 * removed in layer 3 instead of a hundred .deb files.
 *
 * Memory grows with the number of directories that hold wasted files, not
 * with their bytes or files: per (adding layer, removing layer, how), each
 * such directory's file count, bytes and largest file; the directory tree
 * with totals is built from them once, at the end.
 */
import type { ShadowedEntry } from "./types.js";

export interface WastedPath {
  /** A file, a directory (everything wasted below it) or `DIR/*` (the files directly in DIR). */
  path: string;
  kind: "file" | "dir" | "files";
  bytes: number;
  files: number;
  /** The layer that added the bytes. */
  addedIn: number;
  /** The layer that deleted or overwrote them. */
  removedIn: number;
  how: ShadowedEntry["hiddenHow"];
}

export interface WasteSummary {
  /** Most bytes first. */
  top: WastedPath[];
  /** What `top` leaves out: `top`'s bytes plus these are the image's wasted bytes. */
  rest: { bytes: number; files: number };
}

/** How many wasted paths a report lists. */
export const WASTED_TOP = 10;

/** The wasted files directly in one directory. */
interface DirFiles {
  count: number;
  bytes: number;
  largest: string;
  largestBytes: number;
}

interface Node {
  bytes: number;
  files: number;
  subdirs: Map<string, Node> | undefined;
  /** Files directly in this directory. */
  direct: DirFiles | undefined;
}

const node = (): Node => ({ bytes: 0, files: 0, subdirs: undefined, direct: undefined });

interface Group {
  addedIn: number;
  removedIn: number;
  how: WastedPath["how"];
  /** Directory → its wasted files: one map lookup per file; the tree is built once, in summary(). */
  dirs: Map<string, DirFiles>;
}

export class WasteCollector {
  private readonly groups = new Map<string, Group>();
  private total = 0;
  private count = 0;
  /** The group of the previous file: a whiteout of a directory hides its files one after another. */
  private last: Group | undefined;
  private lastDir: string | undefined;
  private lastDirLength = 0;
  private lastDirGroup: Group | undefined;
  private lastFiles: DirFiles | undefined;

  /** One wasted file version: `bytes` at `path`, added in `addedIn`, hidden in `removedIn`. */
  add(path: string, bytes: number, addedIn: number, removedIn: number, how: WastedPath["how"]): void {
    if (bytes === 0) return;
    this.total += bytes;
    this.count++;
    let g = this.last;
    if (g === undefined || g.addedIn !== addedIn || g.removedIn !== removedIn || g.how !== how) {
      const key = `${addedIn}:${removedIn}:${how}`;
      g = this.groups.get(key);
      if (g === undefined) this.groups.set(key, (g = { addedIn, removedIn, how, dirs: new Map() }));
      this.last = g;
    }
    const cut = Math.max(path.lastIndexOf("/"), 0);
    // Files of one directory usually come one after another (a removed subtree): no slice, no hash.
    let d = this.lastDir !== undefined && g === this.lastDirGroup && cut === this.lastDirLength && path.startsWith(this.lastDir) ? this.lastFiles : undefined;
    if (d === undefined) {
      const dir = path.slice(0, cut);
      d = g.dirs.get(dir);
      this.lastDir = dir;
      this.lastDirLength = cut;
      this.lastDirGroup = g;
    }
    if (d === undefined) g.dirs.set(this.lastDir!, (this.lastFiles = { count: 1, bytes, largest: path, largestBytes: bytes }));
    else {
      this.lastFiles = d;
      d.count++;
      d.bytes += bytes;
      if (bytes > d.largestBytes) {
        d.largest = path;
        d.largestBytes = bytes;
      }
    }
  }

  summary(max = WASTED_TOP): WasteSummary {
    const all: WastedPath[] = [];
    for (const g of this.groups.values()) {
      const at = { addedIn: g.addedIn, removedIn: g.removedIn, how: g.how };
      for (const item of explain(tree(g.dirs), "", 0)) all.push({ ...item, ...at });
    }
    all.sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || a.addedIn - b.addedIn);
    const top = all.slice(0, max);
    const bytes = top.reduce((s, t) => s + t.bytes, 0);
    const files = top.reduce((s, t) => s + t.files, 0);
    return { top, rest: { bytes: this.total - bytes, files: this.count - files } };
  }
}

/** The directory tree of a group, with totals: O(directories × depth). */
function tree(dirs: ReadonlyMap<string, DirFiles>): Node {
  const root = node();
  for (const [dir, d] of dirs) {
    let n = root;
    n.bytes += d.bytes;
    n.files += d.count;
    if (dir !== "") {
      for (const name of dir.slice(1).split("/")) {
        n.subdirs ??= new Map();
        let c = n.subdirs.get(name);
        if (c === undefined) n.subdirs.set(name, (c = node()));
        n = c;
        n.bytes += d.bytes;
        n.files += d.count;
      }
    }
    n.direct = d;
  }
  return root;
}

type Item = Pick<WastedPath, "path" | "kind" | "bytes" | "files">;

/**
 * The paths that explain a directory's waste. A directory with one child
 * is explained by that child. A directory whose waste is split among
 * several children is one item when it is at least two levels deep
 * (`/var/cache/apt`, `/var/lib/apt/lists`), or one level deep with files
 * only (`/tmp`); above that (`/`, `/var`, `/usr`) is too broad to act on,
 * so its children are explained one by one.
 */
function explain(n: Node, dir: string, depth: number): Item[] {
  const subdirs = n.subdirs?.size ?? 0;
  const direct = n.direct?.count ?? 0;
  if (direct === 1 && subdirs === 0) return [{ path: n.direct!.largest, kind: "file", bytes: n.bytes, files: 1 }];
  if (direct === 0 && subdirs === 1) {
    const [name, c] = n.subdirs!.entries().next().value!;
    return explain(c, `${dir}/${name}`, depth + 1);
  }
  if (depth >= 2 || (depth === 1 && subdirs === 0)) return [{ path: dir, kind: "dir", bytes: n.bytes, files: n.files }];
  const out: Item[] = [];
  if (direct === 1) out.push({ path: n.direct!.largest, kind: "file", bytes: n.direct!.bytes, files: 1 });
  else if (direct > 1) out.push({ path: `${dir}/*`, kind: "files", bytes: n.direct!.bytes, files: direct });
  for (const [name, c] of n.subdirs ?? []) out.push(...explain(c, `${dir}/${name}`, depth + 1));
  return out;
}
