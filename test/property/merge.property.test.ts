// Property: LayerBuilder + mergeLayers agree with a tiny, obviously correct
// model of image-spec layer.md (SPECS §6) over random stacks of files, dirs,
// symlinks, hardlinks, whiteouts and opaque markers.
//
// The model is a Map<path, {type, layer, id}> applied per layer:
//   1. opaque markers first: drop every lower path under the directory;
//   2. whiteouts (lower layers only): drop the path and everything under it;
//   3. entries in stream order: missing or non-directory parents become
//      implied directories (id 0, this layer); dir over dir replaces the
//      attributes and keeps the children; anything else drops the path and its
//      subtree, then sets it. A hardlink takes the id of the file it names at
//      that moment (bound to the inode; a missing target or a dir: unbound).
//
// Symlinks are generated only at leaf paths (never a parent of another path),
// so no write goes *through* a symlink: that case is implementation-defined
// and covered by merge-layers.test.ts and the whiteout vectors.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LayerBuilder } from "../../packages/core/src/layer-builder.js";
import { mergeLayers } from "../../packages/core/src/merge-layers.js";
import type { TarHeader, TarType } from "../../packages/core/src/tar/tar-header.js";
import { params, timeout } from "./runs.js";

const PARENTS = ["a", "b", "a/c", "a/c/d"];
const LEAVES = ["a/f", "a/c/g", "a/c/d/i", "b/h", "top", "b/s"];
const ANY = [...PARENTS, ...LEAVES];

type Kind = "file" | "dir" | "symlink" | "hardlink" | "whiteout" | "opaque";
interface Item { kind: Kind; path: string; target: string }

const item: fc.Arbitrary<Item> = fc.oneof(
  fc.record({ kind: fc.constantFrom<Kind>("file", "dir", "hardlink"), path: fc.constantFrom(...ANY), target: fc.constantFrom(...ANY, "missing") }),
  fc.record({ kind: fc.constant<Kind>("symlink"), path: fc.constantFrom(...LEAVES), target: fc.constantFrom(...ANY, "/etc", "..") }),
  fc.record({ kind: fc.constant<Kind>("whiteout"), path: fc.constantFrom(...ANY), target: fc.constant("") }),
  fc.record({ kind: fc.constant<Kind>("opaque"), path: fc.constantFrom("", ...PARENTS), target: fc.constant("") }),
);
const stack = fc.array(fc.array(item, { maxLength: 10 }), { minLength: 1, maxLength: 5 });

interface Node { type: "file" | "dir" | "symlink" | "hardlink"; layer: number; id: number }

/** The model: nothing clever, whole-map scans. Paths are "/a/c" style; "/" is always a dir. */
function model(layers: Item[][]): Map<string, Node> {
  const fs = new Map<string, Node>();
  /** Hardlinks whose target was missing (or a dir) when applied. */
  const dangling = new Set<string>();
  const dropTree = (p: string) => {
    for (const k of [...fs.keys()]) if (k === p || k.startsWith(`${p}/`)) fs.delete(k);
    for (const k of [...dangling]) if (!fs.has(k)) dangling.delete(k);
  };
  let id = 0;
  layers.forEach((items, layer) => {
    for (const it of items) {
      if (it.kind !== "opaque") continue;
      const d = `/${it.path}`;
      if (it.path === "" || fs.get(d)?.type === "dir") {
        for (const k of [...fs.keys()]) if (k.startsWith(it.path === "" ? "/" : `${d}/`)) fs.delete(k);
        for (const k of [...dangling]) if (!fs.has(k)) dangling.delete(k);
      }
    }
    for (const it of items) if (it.kind === "whiteout") dropTree(`/${it.path}`);
    for (const it of items) {
      if (it.kind === "whiteout" || it.kind === "opaque") continue;
      id++;
      const p = `/${it.path}`;
      const comps = it.path.split("/");
      for (let i = 1; i < comps.length; i++) {
        const parent = `/${comps.slice(0, i).join("/")}`;
        if (fs.get(parent)?.type !== "dir") {
          dropTree(parent);
          fs.set(parent, { type: "dir", layer, id: 0 });
        }
      }
      const old = fs.get(p);
      if (old?.type === "dir" && it.kind === "dir") {
        fs.set(p, { type: "dir", layer, id });
        continue;
      }
      if (old !== undefined) dropTree(p);
      let nodeId = id;
      dangling.delete(p);
      if (it.kind === "hardlink") {
        // Bound to the inode the target names now; a link to a dangling link dangles too.
        const t = fs.get(`/${it.target}`);
        if (t !== undefined && t.type !== "dir" && !dangling.has(`/${it.target}`)) nodeId = t.id;
        else dangling.add(p);
      }
      fs.set(p, { type: it.kind, layer, id: nodeId });
    }
  });
  return fs;
}

const FLAG: Record<"file" | "dir" | "symlink" | "hardlink", [TarType, number]> = {
  file: ["file", 0x30],
  dir: ["dir", 0x35],
  symlink: ["symlink", 0x32],
  hardlink: ["hardlink", 0x31],
};

/** The same stack as tar headers, through the real LayerBuilder and mergeLayers. */
function real(layers: Item[][]): Map<string, Node> {
  let id = 0;
  const indexes = layers.map((items, layer) => {
    const b = new LayerBuilder(layer);
    for (const it of items) {
      let name: string;
      let kind: keyof typeof FLAG = "file";
      if (it.kind === "whiteout") {
        const i = it.path.lastIndexOf("/");
        name = `${it.path.slice(0, i + 1)}.wh.${it.path.slice(i + 1)}`;
      } else if (it.kind === "opaque") {
        name = it.path === "" ? ".wh..wh..opq" : `${it.path}/.wh..wh..opq`;
      } else {
        kind = it.kind;
        name = it.kind === "dir" ? `${it.path}/` : it.path;
        id++;
      }
      const [type, typeflag] = FLAG[kind];
      const uid = it.kind === "whiteout" || it.kind === "opaque" ? 0 : id;
      const h: TarHeader = {
        name, linkname: kind === "hardlink" || kind === "symlink" ? it.target : "", type, typeflag,
        mode: 0o644, uid, gid: 0, size: 0, mtime: 0, uname: "", gname: "", devmajor: 0, devminor: 0, xattrs: {}, sparse: false,
      };
      b.add(h);
    }
    return b.finish({ entries: items.length, files: 0, tarBytes: 0 });
  });
  const out = new Map<string, Node>();
  for (const e of mergeLayers(indexes).files) {
    if (e.path === "/") continue;
    out.set(e.path, { type: e.type as Node["type"], layer: e.layer, id: e.uid });
  }
  return out;
}

const sorted = (m: Map<string, Node>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

describe("layer merge against a model (property)", () => {
  it(
    "gives the model's final path → (type, layer, version) for random layer stacks",
    () => {
      fc.assert(
        fc.property(stack, (layers) => {
          expect(sorted(real(layers))).toEqual(sorted(model(layers)));
        }),
        params(10_000),
      );
    },
    timeout(60_000),
  );
});
