import { describe, expect, it } from "vitest";
import type { TarHeader } from "./tar/tar-header.js";
import { LayerBuilder } from "./layer-builder.js";
import { IMPLIED_DIR_MODE, mergeLayers } from "./merge-layers.js";

/** "dir/" → dir, "a -> t" → symlink, "a => t" → hardlink, "name:123" → file of 123 bytes. */
function h(spec: string, over: Partial<TarHeader> = {}): TarHeader {
  const base: TarHeader = {
    name: spec, linkname: "", type: "file", typeflag: 48, mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 0,
    uname: "", gname: "", devmajor: 0, devminor: 0, xattrs: {}, sparse: false,
  };
  const sym = spec.split(" -> ");
  const hard = spec.split(" => ");
  const sized = /^(.*):(\d+)$/.exec(spec);
  if (sym.length === 2) Object.assign(base, { name: sym[0], linkname: sym[1], type: "symlink" });
  else if (hard.length === 2) Object.assign(base, { name: hard[0], linkname: hard[1], type: "hardlink" });
  else if (spec.endsWith("/")) Object.assign(base, { type: "dir", mode: 0o755 });
  else if (sized) Object.assign(base, { name: sized[1], size: Number(sized[2]) });
  return { ...base, ...over };
}

function merge(...layers: (string | TarHeader)[][]) {
  const idx = layers.map((specs, i) => {
    const b = new LayerBuilder(i);
    for (const s of specs) b.add(typeof s === "string" ? h(s) : s);
    return b.finish({ entries: specs.length, files: 0, tarBytes: 0 });
  });
  return mergeLayers(idx);
}

const paths = (m: ReturnType<typeof merge>) => [...m.files].map((e) => e.path);
const hidden = (m: ReturnType<typeof merge>) =>
  m.shadowed.map((s) => `${s.path}@${s.layer}:${s.hiddenHow}@${s.hiddenBy}`).sort();

describe("mergeLayers: whiteouts and opaque directories", () => {
  it("opaque hides lower children and descendants, not same-layer ones, in any order", () => {
    const m = merge(["a/", "a/x:10", "a/sub/", "a/sub/y:5", "b:1"], ["a/new:3", "a/.wh..wh..opq", "a/sub/"]);
    expect(paths(m)).toEqual(["/", "/a", "/a/new", "/a/sub", "/b"]);
    expect(hidden(m)).toEqual(["/a/sub/y@0:opaque@1", "/a/sub@0:opaque@1", "/a/x@0:opaque@1"]);
    expect(m.wastedBytes).toBe(15);
    expect(m.files.get("/a")?.layer).toBe(0); // the dir itself stays
  });

  it("a whiteout of a directory removes its subtree and is recorded per entry", () => {
    const m = merge(["d/", "d/e/", "d/e/f:7", "keep:1"], [".wh.d"]);
    expect(paths(m)).toEqual(["/", "/keep"]);
    expect(hidden(m)).toEqual(["/d/e/f@0:whiteout@1", "/d/e@0:whiteout@1", "/d@0:whiteout@1"]);
    expect(m.files.children("/d")).toEqual([]);
    expect(m.files.byBasename("f")).toEqual([]);
    expect(m.wastedBytes).toBe(7);
  });

  it("a whiteout through a symlinked parent deletes the real path and is flagged", () => {
    const m = merge(["etc/", "etc/passwd:4", "a -> /etc"], ["a/.wh.passwd"]);
    expect(paths(m)).toEqual(["/", "/a", "/etc"]);
    expect(m.unsafe).toMatchObject([{ layer: 1, reason: "link-escape", name: "/a/passwd" }]);
  });
});

describe("mergeLayers: entries over existing paths", () => {
  it("a file replacing a directory removes the whole subtree", () => {
    const m = merge(["d/", "d/x:2", "d/y/", "d/y/z:3"], ["d:9"]);
    expect(paths(m)).toEqual(["/", "/d"]);
    expect(m.files.get("/d")).toMatchObject({ type: "file", size: 9, layer: 1 });
    expect(hidden(m)).toEqual(["/d/x@0:overwrite@1", "/d/y/z@0:overwrite@1", "/d/y@0:overwrite@1", "/d@0:overwrite@1"]);
    expect(m.wastedBytes).toBe(5);
  });

  it("dir over dir replaces attributes and keeps children; the old dir is shadowed", () => {
    const m = merge(["d/", "d/x:1"], [h("d/", { mode: 0o1777, uid: 7 })]);
    expect(m.files.get("/d")).toMatchObject({ mode: 0o1777, uid: 7, layer: 1 });
    expect(m.files.children("/d").map((e) => e.path)).toEqual(["/d/x"]);
    expect(hidden(m)).toEqual(["/d@0:overwrite@1"]);
  });

  it("a root entry './' sets the root's attributes", () => {
    const m = merge([h("./", { mode: 0o700 }), "a:1"]);
    expect(m.files.get("/")).toMatchObject({ type: "dir", mode: 0o700, layer: 0 });
    expect(m.shadowed).toEqual([]); // the implied root never shipped
  });

  it("duplicates in one layer: the last wins, earlier copies are shadowed by that layer", () => {
    const m = merge(["f:1", "f:20"]);
    expect(m.files.get("/f")?.size).toBe(20);
    expect(hidden(m)).toEqual(["/f@0:overwrite@0"]);
    expect(m.wastedBytes).toBe(1);
  });
});

describe("mergeLayers: implied parents", () => {
  it("creates missing parents as 0755 root:root dirs owned by the layer that needed them", () => {
    const m = merge(["x:1"], ["a/b/c:1"]);
    for (const p of ["/a", "/a/b"]) {
      expect(m.files.get(p)).toEqual({ path: p, type: "dir", mode: IMPLIED_DIR_MODE, uid: 0, gid: 0, size: 0, layer: 1 });
    }
  });

  it("implied dirs are never shadowed (they did not ship); a real dir entry replaces them", () => {
    const m = merge(["a/b:1"], [h("a/", { mode: 0o750 })], [".wh.a"]);
    expect(hidden(m)).toEqual(["/a/b@0:whiteout@2", "/a@1:whiteout@2"]);
  });

  it("a whiteout in a missing parent creates nothing", () => {
    const m = merge(["a:1"], ["x/.wh.y"]);
    expect(paths(m)).toEqual(["/", "/a"]);
  });

  it("a file in the way of a parent is replaced by an implied dir", () => {
    const m = merge(["f:4"], ["f/x:1"]);
    expect(m.files.get("/f")?.type).toBe("dir");
    expect(hidden(m)).toEqual(["/f@0:overwrite@1"]);
  });

  it("writes through a symlinked parent like real extractors, and flags it", () => {
    const m = merge(["etc/", "a -> /etc", "up -> ../../.."], ["a/passwd:3", "up/etc/shadow:2"]);
    expect(m.files.get("/a")?.type).toBe("symlink");
    expect(m.files.get("/etc/passwd")?.size).toBe(3);
    expect(m.files.get("/etc/shadow")?.size).toBe(2); // never escapes the root
    expect(m.unsafe.map((u) => [u.name, u.reason])).toEqual([
      ["/a/passwd", "link-escape"],
      ["/up/etc/shadow", "link-escape"],
    ]);
  });

  it("a symlink loop in the parent path drops the entry", () => {
    const m = merge(["l1 -> l2", "l2 -> l1"], ["l1/x:1"]);
    expect(m.files.get("/l1/x")).toBeUndefined();
    expect(m.unsafe).toMatchObject([{ name: "/l1/x", reason: "link-escape" }]);
  });
});

describe("mergeLayers: hardlinks bind to an inode", () => {
  it("takes size and metadata from the bound file; a chain binds to the same file", () => {
    const m = merge([h("bin/su:99", { mode: 0o4755 }), "bin/su2 => bin/su"], ["bin/su3 => bin/su2"]);
    const su = m.files.get("/bin/su")!;
    for (const p of ["/bin/su2", "/bin/su3"]) {
      const e = m.files.get(p)!;
      expect(e).toMatchObject({ type: "hardlink", linkTarget: p === "/bin/su2" ? "/bin/su" : "/bin/su2", size: 99, mode: 0o4755 });
      expect(m.files.hardlinkTarget(e)).toBe(su);
    }
  });

  it("keeps the old inode when the target is deleted or overwritten; its bytes are not wasted", () => {
    const m = merge(["t1:3", "t2 => t1", "f:5", "g => f"], ["t1:4", ".wh.f"]);
    const t2 = m.files.get("/t2")!;
    expect(t2.size).toBe(3);
    expect(m.files.hardlinkTarget(t2)).toMatchObject({ path: "/t1", layer: 0, size: 3 });
    expect(m.files.resolve("/g")).toMatchObject({ path: "/f", layer: 0 });
    expect(m.wastedBytes).toBe(0);
  });

  it("a shadowed hardlink never counts; a file shadowed with all its links counts once", () => {
    const m = merge(["f:5", "g => f"], [".wh.f", ".wh.g"]);
    expect(hidden(m)).toEqual(["/f@0:whiteout@1", "/g@0:whiteout@1"]);
    expect(m.wastedBytes).toBe(5);
    const g = m.shadowed.find((s) => s.path === "/g")!;
    expect(g).toMatchObject({ type: "hardlink", size: 5 });
    expect(m.files.hardlinkTarget(g)).toMatchObject({ path: "/f" });
  });

  it("a missing target leaves an unbound link: size 0, own metadata, no target", () => {
    const m = merge([h("h => nowhere", { mode: 0o600 }), "d/", "hd => d", "self => self"]);
    for (const p of ["/h", "/hd", "/self"]) {
      const e = m.files.get(p)!;
      expect(e).toMatchObject({ type: "hardlink", size: 0 });
      expect(m.files.hardlinkTarget(e)).toBeUndefined();
      expect(m.files.resolve(p)).toBe(e);
    }
    expect(m.files.get("/h")?.mode).toBe(0o600);
    expect(m.unsafe).toEqual([]);
  });
});

describe("mergeLayers: scale", () => {
  it("merges 100k entries and whites out large directories quickly", () => {
    const l0: TarHeader[] = [];
    for (let d = 0; d < 1000; d++) {
      l0.push(h(`d${d}/`));
      for (let f = 0; f < 100; f++) l0.push(h(`d${d}/f${f}:1`));
    }
    const l1: TarHeader[] = [];
    for (let d = 0; d < 1000; d += 2) l1.push(h(`.wh.d${d}`));
    const t = performance.now();
    const m = merge(l0, l1);
    expect(performance.now() - t).toBeLessThan(5000);
    expect(m.files.size).toBe(1 + 500 * 101);
    expect(m.shadowed.length).toBe(500 * 101);
    expect(m.wastedBytes).toBe(500 * 100);
  });
});
