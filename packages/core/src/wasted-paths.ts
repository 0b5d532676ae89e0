/**
 * Where the wasted bytes are: dive's "top wasted files"
 * (https://github.com/wagoodman/dive#ui-configuration, the image details
 * pane), aggregated into directories where one directory explains them
 * better than its files, e.g. `/var/cache/apt` written in layer 2 and
 * removed in layer 3 instead of a hundred .deb files.
 *
 * Memory grows with the number of directories that hold wasted files, not
 * with their bytes: per (adding layer, removing layer, how) a tree of
 * directory nodes with byte and file counts and each directory's largest
 * direct file.
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

interface Node {
  bytes: number;
  files: number;
  subdirs: Map<string, Node> | undefined;
  /** Files directly in this directory. */
  direct: number;
  directBytes: number;
  largest: string | undefined;
  largestBytes: number;
}

const node = (): Node => ({ bytes: 0, files: 0, subdirs: undefined, direct: 0, directBytes: 0, largest: undefined, largestBytes: 0 });

export class WasteCollector {
  private readonly groups = new Map<string, { addedIn: number; removedIn: number; how: WastedPath["how"]; root: Node }>();
  private total = 0;
  private count = 0;

  /** One wasted file version: `bytes` at `path`, added in `addedIn`, hidden in `removedIn`. */
  add(path: string, bytes: number, addedIn: number, removedIn: number, how: WastedPath["how"]): void {
    if (bytes === 0) return;
    this.total += bytes;
    this.count++;
    const key = `${addedIn}:${removedIn}:${how}`;
    let g = this.groups.get(key);
    if (g === undefined) this.groups.set(key, (g = { addedIn, removedIn, how, root: node() }));
    let n = g.root;
    n.bytes += bytes;
    n.files++;
    const parts = path.split("/");
    // parts[0] is "" (absolute path); the last part is the file's name.
    for (let i = 1; i < parts.length - 1; i++) {
      const name = parts[i]!;
      n.subdirs ??= new Map();
      let c = n.subdirs.get(name);
      if (c === undefined) n.subdirs.set(name, (c = node()));
      n = c;
      n.bytes += bytes;
      n.files++;
    }
    n.direct++;
    n.directBytes += bytes;
    if (bytes > n.largestBytes) {
      n.largest = path;
      n.largestBytes = bytes;
    }
  }

  summary(max = WASTED_TOP): WasteSummary {
    const all: WastedPath[] = [];
    for (const g of this.groups.values()) {
      const at = { addedIn: g.addedIn, removedIn: g.removedIn, how: g.how };
      for (const item of explain(g.root, "", 0)) all.push({ ...item, ...at });
    }
    all.sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || a.addedIn - b.addedIn);
    const top = all.slice(0, max);
    const bytes = top.reduce((s, t) => s + t.bytes, 0);
    const files = top.reduce((s, t) => s + t.files, 0);
    return { top, rest: { bytes: this.total - bytes, files: this.count - files } };
  }
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
  if (n.direct === 1 && subdirs === 0) return [{ path: n.largest!, kind: "file", bytes: n.bytes, files: 1 }];
  if (n.direct === 0 && subdirs === 1) {
    const [name, c] = n.subdirs!.entries().next().value!;
    return explain(c, `${dir}/${name}`, depth + 1);
  }
  if (depth >= 2 || (depth === 1 && subdirs === 0)) return [{ path: dir, kind: "dir", bytes: n.bytes, files: n.files }];
  const out: Item[] = [];
  if (n.direct === 1) out.push({ path: n.largest!, kind: "file", bytes: n.directBytes, files: 1 });
  else if (n.direct > 1) out.push({ path: `${dir}/*`, kind: "files", bytes: n.directBytes, files: n.direct });
  for (const [name, c] of n.subdirs ?? []) out.push(...explain(c, `${dir}/${name}`, depth + 1));
  return out;
}
