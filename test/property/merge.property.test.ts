// Property: LayerBuilder + mergeLayers agree with a tiny, obviously correct
// model of how containerd and moby apply layers, over random stacks of files,
// dirs, symlinks, hardlinks, whiteouts and opaque markers.
//
// The model is a Map<path, {type, layer, id, ino}> applied per layer, one
// item at a time in stream order, as containerd's applyNaive and moby's
// UnpackLayer do (https://github.com/containerd/containerd/blob/v1.6.20/archive/tar.go,
// https://github.com/moby/moby/blob/v20.10.24/pkg/archive/diff.go):
//   - an opaque marker: nothing when its directory is a non-directory (moby
//     walks a file; containerd fails the layer); else the directory is
//     created if missing (a non-directory in the way is replaced by an
//     implied directory, id 0, this layer), then
//     every path under it is dropped unless it and every directory between
//     it and the marker's were written by this layer so far (the runtimes'
//     unpackedPaths; implied directories are not written);
//   - a whiteout: the parent is created the same way, then the path and
//     everything under it are dropped, whichever layer wrote them;
//   - an entry: missing or non-directory parents become implied
//     directories; dir over dir replaces the attributes and keeps the
//     children; anything else drops the path and its subtree, then sets it.
//     A hardlink becomes another name of the inode it names at that moment,
//     and its header's uid (here: its id) becomes every name's; a missing
//     target, a directory, or the path itself (removed first) makes the
//     runtime fail: the entry is dropped and the old path stays. In the end
//     an inode's oldest live name is listed as the file, the others as
//     hardlinks (to it).
//
// Symlinks are generated only at two leaf paths that are never hardlink
// targets (never a parent of another path, never a second name), so no write
// goes *through* a symlink: that case is covered by merge-layers*.test.ts,
// root-path.test.ts and the whiteout vectors.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LayerBuilder } from "../../packages/core/src/layer-builder.js";
import { mergeLayers } from "../../packages/core/src/merge-layers.js";
import type { TarHeader, TarType } from "../../packages/core/src/tar/tar-header.js";
import { params, timeout } from "./runs.js";

const PARENTS = ["a", "b", "a/c", "a/c/d"];
const LEAVES = ["a/f", "a/c/g", "a/c/d/i", "b/h"];
const SYMLINK_LEAVES = ["top", "b/s"];
const ANY = [...PARENTS, ...LEAVES, ...SYMLINK_LEAVES];
const LINKABLE = [...PARENTS, ...LEAVES];

type Kind = "file" | "dir" | "symlink" | "hardlink" | "whiteout" | "opaque";
interface Item { kind: Kind; path: string; target: string }

const item: fc.Arbitrary<Item> = fc.oneof(
  fc.record({ kind: fc.constantFrom<Kind>("file", "dir"), path: fc.constantFrom(...ANY), target: fc.constant("") }),
  fc.record({ kind: fc.constant<Kind>("hardlink"), path: fc.constantFrom(...LINKABLE), target: fc.constantFrom(...LINKABLE, "missing") }),
  fc.record({ kind: fc.constant<Kind>("symlink"), path: fc.constantFrom(...SYMLINK_LEAVES), target: fc.constantFrom(...ANY, "/etc", "..") }),
  fc.record({ kind: fc.constant<Kind>("whiteout"), path: fc.constantFrom(...ANY), target: fc.constant("") }),
  fc.record({ kind: fc.constant<Kind>("opaque"), path: fc.constantFrom("", ...PARENTS), target: fc.constant("") }),
);
const stack = fc.array(fc.array(item, { maxLength: 10 }), { minLength: 1, maxLength: 5 });

interface Node { type: "file" | "dir" | "symlink" | "hardlink"; layer: number; id: number; ino?: number; seq?: number }

/** The model: nothing clever, whole-map scans. Paths are "/a/c" style; "/" is always a dir. */
function model(layers: Item[][]): Map<string, Node> {
  const fs = new Map<string, Node>();
  const dropTree = (p: string) => {
    for (const k of [...fs.keys()]) if (k === p || k.startsWith(`${p}/`)) fs.delete(k);
  };
  let id = 0;
  let ino = 0;
  let seq = 0;
  layers.forEach((items, layer) => {
    /** `path` ("a/c", "" for the root) and its ancestors become directories. */
    const ensureDirs = (path: string) => {
      const comps = path === "" ? [] : path.split("/");
      for (let i = 1; i <= comps.length; i++) {
        const d = `/${comps.slice(0, i).join("/")}`;
        if (fs.get(d)?.type !== "dir") {
          dropTree(d);
          fs.set(d, { type: "dir", layer, id: 0 });
        }
      }
    };
    const written = new Set<string>();
    for (const it of items) {
      if (it.kind === "opaque") {
        const dir = it.path === "" ? "" : `/${it.path}`;
        const there = fs.get(dir);
        if (there !== undefined && there.type !== "dir") continue; // moby walks a file: nothing hidden
        ensureDirs(it.path);
        const kept = (k: string): boolean => {
          for (let p = k; p.length > dir.length; p = p.slice(0, p.lastIndexOf("/"))) if (!written.has(p)) return false;
          return true;
        };
        for (const k of [...fs.keys()]) if (k.startsWith(`${dir}/`) && !kept(k)) fs.delete(k);
        continue;
      }
      if (it.kind === "whiteout") {
        ensureDirs(it.path.slice(0, Math.max(0, it.path.lastIndexOf("/"))));
        dropTree(`/${it.path}`);
        continue;
      }
      id++;
      const p = `/${it.path}`;
      ensureDirs(it.path.slice(0, Math.max(0, it.path.lastIndexOf("/"))));
      const old = fs.get(p);
      if (old?.type === "dir" && it.kind === "dir") {
        fs.set(p, { type: "dir", layer, id });
        written.add(p);
        continue;
      }
      if (it.kind === "hardlink") {
        const tp = `/${it.target}`;
        const gone = old !== undefined && (tp === p || tp.startsWith(`${p}/`));
        const t = gone ? undefined : fs.get(tp);
        if (t === undefined || t.type === "dir") continue; // the runtime fails: dropped
        if (old !== undefined) dropTree(p);
        const shared = t.ino ?? (t.ino = ++ino);
        fs.set(p, { type: "hardlink", layer, id, ino: shared, seq: ++seq });
        for (const n of fs.values()) if (n.ino === shared) n.id = id; // Lchown of the shared inode
        written.add(p);
        continue;
      }
      if (old !== undefined) dropTree(p);
      fs.set(p, { type: it.kind, layer, id, seq: ++seq });
      written.add(p);
    }
  });
  // Listed as on disk: an inode's oldest live name is the file, every other name a hardlink to it.
  const byIno = new Map<number, Node[]>();
  for (const n of fs.values()) if (n.ino !== undefined) byIno.set(n.ino, [...(byIno.get(n.ino) ?? []), n]);
  for (const names of byIno.values()) names.sort((a, b) => a.seq! - b.seq!).forEach((n, i) => (n.type = i === 0 ? "file" : "hardlink"));
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

const sorted = (m: Map<string, Node>) =>
  [...m.entries()].map(([p, n]) => [p, { type: n.type, layer: n.layer, id: n.id }] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

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
