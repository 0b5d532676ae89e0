// Runs the 26 whiteout/layer-application vectors (test/conformance/whiteout-vectors.json)
// through LayerBuilder + mergeLayers. Where a vector's expectation differs from
// what containerd and moby really unpack, the test says so and checks the
// runtimes' result; the vector file stays as it is.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { FileEntry } from "./types.js";
import type { TarHeader, TarType } from "./tar/tar-header.js";
import { LayerBuilder } from "./layer-builder.js";
import { mergeLayers, type MergedFilesystem } from "./merge-layers.js";

interface VectorEntry {
  path: string;
  type: "file" | "dir" | "symlink" | "hardlink";
  content?: string;
  linkname?: string;
  inode?: string;
}
interface Vector {
  name: string;
  expectedBasis: string;
  layers: VectorEntry[][];
  expectedFinalTree: VectorEntry[] | null;
  expectError: boolean;
  notes: string;
}

const vectors = JSON.parse(
  readFileSync(new URL("../../../test/conformance/whiteout-vectors.json", import.meta.url), "utf8"),
) as Vector[];

const TYPEFLAG: Record<VectorEntry["type"], string> = { file: "0", hardlink: "1", symlink: "2", dir: "5" };

function header(v: VectorEntry): TarHeader {
  const type: TarType = v.type;
  return {
    name: v.path,
    linkname: v.linkname ?? "",
    type,
    typeflag: TYPEFLAG[v.type].charCodeAt(0),
    mode: v.type === "dir" ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    size: v.type === "file" ? Buffer.byteLength(v.content ?? "") : 0,
    mtime: 0,
    uname: "",
    gname: "",
    devmajor: 0,
    devminor: 0,
    xattrs: {},
    sparse: false,
  };
}

interface Run {
  merged: MergedFilesystem;
  duplicates: string[][];
  /** "layer\0/path" → the vector content of that shipped version. */
  content: Map<string, string>;
}

function run(v: Vector): Run {
  const content = new Map<string, string>();
  const indexes = v.layers.map((entries, i) => {
    const b = new LayerBuilder(i);
    for (const e of entries) {
      if (b.add(header(e)) === "entry" && e.type === "file") {
        content.set(`${i}\0${b.last()!.path}`, e.content ?? "");
      }
    }
    return b.finish({ entries: entries.length, files: 0, tarBytes: 0 });
  });
  return { merged: mergeLayers(indexes), duplicates: indexes.map((l) => l.duplicates), content };
}

/** The file object whose bytes a path shows: itself, or a hardlink's bound inode. */
function inodeOf(r: Run, e: FileEntry): FileEntry | undefined {
  return e.type === "hardlink" ? r.merged.files.hardlinkTarget(e) : e;
}

/** Our tree in the vectors' shape; a bound hardlink is a "file" sharing an inode. */
function actualTree(r: Run): { tree: VectorEntry[]; inodes: (FileEntry | undefined)[] } {
  const tree: VectorEntry[] = [];
  const inodes: (FileEntry | undefined)[] = [];
  for (const e of r.merged.files) {
    if (e.path === "/") continue;
    const out: VectorEntry = { path: e.path.slice(1), type: e.type === "hardlink" ? "file" : (e.type as VectorEntry["type"]) };
    const ino = e.type === "file" || e.type === "hardlink" ? inodeOf(r, e) : undefined;
    if (out.type === "file") {
      expect(ino, `${e.path} is bound to a file`).toBeDefined();
      const data = r.merged.files.origin(ino!); // the shipped entry whose content the inode holds
      out.content = r.content.get(`${data.layer}\0${data.path}`);
      expect(e.size, `${e.path} size is the bound content's`).toBe(Buffer.byteLength(out.content ?? ""));
    }
    if (e.type === "symlink") out.linkname = e.linkTarget;
    tree.push(out);
    inodes.push(ino);
  }
  return { tree, inodes };
}

function checkTree(v: Vector, r: Run, expected: VectorEntry[]): void {
  const { tree, inodes } = actualTree(r);
  const strip = (e: VectorEntry): VectorEntry => {
    const { inode: _inode, ...rest } = e;
    return rest;
  };
  const want = [...expected].map(strip).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  expect(tree).toEqual(want);
  // `inode` labels: two paths share an inode exactly when their labels match.
  const label = new Map(expected.map((e) => [e.path, e.inode]));
  for (let i = 0; i < tree.length; i++) {
    for (let j = i + 1; j < tree.length; j++) {
      if (tree[i]!.type !== "file" || tree[j]!.type !== "file") continue;
      const li = label.get(tree[i]!.path);
      const lj = label.get(tree[j]!.path);
      const same = li !== undefined && li === lj;
      expect(inodes[i] === inodes[j], `${v.name}: ${tree[i]!.path} / ${tree[j]!.path} share an inode`).toBe(same);
    }
  }
}

describe("whiteout conformance vectors", () => {
  it("has 26 cases", () => {
    expect(vectors).toHaveLength(26);
  });

  for (const v of vectors) {
    if (v.expectError) continue;
    it(`${v.name} (${v.expectedBasis})`, () => {
      const r = run(v);
      // whiteout-in-missing-parent: containerd (mkparent before convertWhiteout,
      // https://github.com/containerd/containerd/blob/v1.6.20/archive/tar.go) and
      // moby (MkdirAll of the parent, https://github.com/moby/moby/blob/v20.10.24/pkg/archive/diff.go)
      // create the empty parent x/; the vector's notes allow that variant, and it is ours.
      let expected = v.expectedFinalTree!;
      if (v.name === "whiteout-in-missing-parent") expected = [...expected, { path: "x", type: "dir" }];
      // whiteout-and-recreate-same-layer-file-first: the image-spec keeps the
      // same-layer foo (whiteouts apply to lower layers only,
      // https://github.com/opencontainers/image-spec/blob/v1.1.0/layer.md#whiteouts),
      // and the vector says so; containerd's applyNaive and moby's UnpackLayer
      // os.RemoveAll the whiteout's path where it stands in the stream, so the
      // upper foo written before it is deleted too, as the vector's notes say.
      // A container gets no foo: neither do we.
      if (v.name === "whiteout-and-recreate-same-layer-file-first") {
        expect(expected.map((e) => e.path)).toEqual(["foo"]);
        expected = [];
      }
      checkTree(v, r, expected);
      expect(r.merged.unsafe).toEqual([]);
      if (v.name === "duplicate-entry-same-layer") expect(r.duplicates).toEqual([["/f"]]);
      else expect(r.duplicates.flat()).toEqual([]);
    });
  }

  // The two expectError cases: we do not throw (an analyzer reports instead),
  // we record an UnsafeEntry and keep the rest of the tree. containerd refuses
  // `dir/.wh.` (validateWhiteout); moby creates dir/ (MkdirAll of the parent)
  // and removes filepath.Join("dir", ""), dir itself
  // (https://github.com/moby/moby/blob/v20.10.24/pkg/archive/diff.go): we do as moby.
  it("invalid-whiteout-empty-basename: UnsafeEntry invalid-whiteout, dir removed as moby does, rest of the tree kept", () => {
    const v = vectors.find((c) => c.name === "invalid-whiteout-empty-basename")!;
    expect(v.expectError).toBe(true);
    const r = run(v);
    expect(r.merged.unsafe).toEqual([
      { layer: 1, name: "dir/.wh.", reason: "invalid-whiteout", detail: expect.any(String) },
    ]);
    checkTree(v, r, [{ path: "a", type: "file", content: "a" }]);
  });

  // The vector expects an error: moby's UnpackLayer refuses `../evil`
  // (breakoutError) when it unpacks into a directory, but docker unpacks
  // chrooted at the layer root
  // (https://github.com/moby/moby/blob/v20.10.24/pkg/chrootarchive/diff_unix.go),
  // where filepath.Join("/", "../evil") is /evil; containerd clamps it the
  // same way (fs.RootPath). Both write /evil: it is present, and reported.
  it("parent-traversal-entry: placed where both runtimes clamp it, UnsafeEntry path-escape", () => {
    const v = vectors.find((c) => c.name === "parent-traversal-entry")!;
    expect(v.expectError).toBe(true);
    const r = run(v);
    expect(r.merged.unsafe).toEqual([
      { layer: 0, name: "../evil", reason: "path-escape", detail: expect.stringContaining("where containerd and moby (chrooted at the layer root) write it") },
    ]);
    checkTree(v, r, [{ path: "evil", type: "file", content: "x" }]);
  });

  it("covers every vector by name exactly once", () => {
    const errors = vectors.filter((v) => v.expectError).map((v) => v.name);
    expect(errors.sort()).toEqual(["invalid-whiteout-empty-basename", "parent-traversal-entry"]);
    expect(vectors.length - errors.length).toBe(24);
  });
});
