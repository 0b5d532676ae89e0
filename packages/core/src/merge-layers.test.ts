import { describe, expect, it } from "vitest";
import type { TarHeader } from "./tar/tar-header.js";
import { IMPLIED_DIR_MODE } from "./merge-layers.js";
import { h, hidden, merge, paths } from "./testing/merge-specs.js";

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

  it("an opaque marker in a symlinked directory hides nothing (moby), and is flagged", () => {
    const m = merge(["real/", "real/x:1", "s -> real"], ["s/.wh..wh..opq"]);
    expect(paths(m)).toEqual(["/", "/real", "/real/x", "/s"]);
    expect(m.unsafe).toMatchObject([{ layer: 1, name: "/s", reason: "link-escape" }]);
    // Below a symlinked ancestor both runtimes hide the children.
    const m2 = merge(["real/", "real/sub/", "real/sub/x:1", "s -> real"], ["s/sub/.wh..wh..opq"]);
    expect(paths(m2)).toEqual(["/", "/real", "/real/sub", "/s"]);
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

  it("a whiteout in a missing parent deletes nothing and creates the parent (containerd mkparent, moby MkdirAll)", () => {
    const m = merge(["a:1"], ["x/.wh.y", "o/.wh..wh..opq"]);
    expect(paths(m)).toEqual(["/", "/a", "/o", "/x"]);
    expect(m.files.get("/x")).toEqual({ path: "/x", type: "dir", mode: IMPLIED_DIR_MODE, uid: 0, gid: 0, size: 0, layer: 1 });
    expect(m.shadowed).toEqual([]);
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

describe("mergeLayers: names cleaned and placed as the runtimes do", () => {
  it("x/../etc/passwd and usr/lib/../bin/sh are written where containerd and moby write them", () => {
    const m = merge(["etc/", "usr/", "usr/bin/"], ["x/../etc/passwd:5", "usr/lib/../bin/sh:7"]);
    expect(paths(m)).toEqual(["/", "/etc", "/etc/passwd", "/usr", "/usr/bin", "/usr/bin/sh"]);
    expect(m.files.get("/usr/bin/sh")).toMatchObject({ type: "file", size: 7, layer: 1 });
    expect(m.unsafe).toEqual([]);
  });

  it("a name that climbs out is placed where both runtimes clamp it, and recorded", () => {
    const m = merge(["usr/", "usr/bin/"], [h("../usr/bin/su", { mode: 0o4755, size: 9 }), "a/../../../x:1"]);
    expect(m.files.get("/usr/bin/su")).toMatchObject({ type: "file", mode: 0o4755, size: 9, layer: 1 });
    expect(m.files.get("/x")).toMatchObject({ type: "file", size: 1 });
    expect(m.unsafe.map((u) => [u.layer, u.name, u.reason])).toEqual([
      [1, "../usr/bin/su", "path-escape"],
      [1, "a/../../../x", "path-escape"],
    ]);
    expect(m.unsafe[0]!.detail).toMatch(/clamped into the root at \/usr\/bin\/su, where containerd and moby/);
  });

  it("a name stored with a leading '/' resolves its parent from '/' (fs.RootPath's one difference)", () => {
    // p → l/../c with l → /a/b: relative "p/f" follows l first (/a/c/f); "/p/f" joins "/" and "l/../c" (/c/f).
    const base = ["a/", "a/b/", "l -> /a/b", "p -> l/../c"];
    expect(merge(base, ["p/f:1"]).files.get("/a/c/f")).toBeDefined();
    expect(merge(base, ["/p/f:1"]).files.get("/c/f")).toBeDefined();
  });

  it("a parent symlink whose target climbs out stays inside the root", () => {
    const m = merge(["etc/", "up -> ../../../..", "e -> ../etc"], ["up/etc/shadow:2", "e/passwd:3"]);
    expect(m.files.get("/etc/shadow")?.size).toBe(2);
    expect(m.files.get("/etc/passwd")?.size).toBe(3);
  });
});

describe("mergeLayers: AUFS names", () => {
  it("a setuid file under /.wh..wh.x/ is extracted (containerd), parent implied, and recorded", () => {
    const m = merge(["bin/"], [h(".wh..wh.x/su", { mode: 0o4755, size: 3 })]);
    expect(m.files.get("/.wh..wh.x")).toMatchObject({ type: "dir", mode: IMPLIED_DIR_MODE, layer: 1 });
    expect(m.files.get("/.wh..wh.x/su")).toMatchObject({ type: "file", mode: 0o4755, size: 3 });
    expect(m.unsafe.map((u) => [u.name, u.reason])).toEqual([[".wh..wh.x/su", "aufs-name"]]);
  });

  // containerd takes any basename `.wh.<x>` for a whiteout of <x>; moby skips every name under a top-level
  // .wh..wh.* first (https://github.com/moby/moby/blob/v20.10.24/pkg/archive/diff.go): at the root,
  // `.wh..wh.plnk` removes /.wh.plnk in containerd only, and stays; deeper, both remove.
  it("an entry named .wh..wh.x, a directory included, is a whiteout (of .wh.x); at the root moby skips it, so nothing goes", () => {
    // A name `.wh.<x>` is a whiteout itself, so `.wh.x` paths exist only as implied parents.
    const m = merge(["keep:1", ".wh.plnk/f:1", "a/.wh.aufs/f:1"], [".wh..wh.plnk/", "a/.wh..wh.aufs", "b/.wh..wh.c"]);
    expect(paths(m)).toEqual(["/", "/.wh.plnk", "/.wh.plnk/f", "/a", "/b", "/keep"]); // b/ is the whiteout's implied parent
    expect(hidden(m)).toEqual(["/a/.wh.aufs/f@0:whiteout@1"]);
    expect(m.unsafe.map((u) => [u.name, u.reason])).toEqual([[".wh..wh.plnk/", "aufs-name"]]);
  });

  it("a whiteout or opaque marker under /.wh..wh.x/ is skipped (moby), its parents created; the root's opaque marker is not", () => {
    const m = merge([".wh..wh.x/f:1", ".wh..wh.x/d/g:1", "top:1"], [".wh..wh.x/.wh.f", ".wh..wh.x/d/.wh..wh..opq", ".wh..wh.y/z/.wh.q"]);
    expect(paths(m)).toEqual(["/", "/.wh..wh.x", "/.wh..wh.x/d", "/.wh..wh.x/d/g", "/.wh..wh.x/f", "/.wh..wh.y", "/.wh..wh.y/z", "/top"]);
    expect(m.unsafe.filter((u) => u.layer === 1).map((u) => u.reason)).toEqual(["aufs-name", "aufs-name", "aufs-name"]);
    const root = merge(["top:1"], [".wh..wh..opq", "new:1"]);
    expect(paths(root)).toEqual(["/", "/new"]);
  });

  // moby keys its plnk copies by basename (aufsHardlinks[filepath.Base(hdr.Linkname)]) and extracts a copy
  // of the plnk entry where containerd's link() finds nothing (containerd then fails the layer).
  it("a hardlink into .wh..wh.plnk that containerd cannot link is moby's copy of the plnk entry", () => {
    const m = merge(
      ["usr/", "usr/bin/"],
      [
        h(".wh..wh.plnk", { mode: 0o4755, size: 3 }), // a whiteout for containerd, a plnk source for moby
        h("usr/bin/su => .wh..wh.plnk", { mode: 0o755, uid: 1000 }),
        h(".wh..wh.plnk/a/x", { mode: 0o2755, size: 4 }),
        h("usr/bin/sg => .wh..wh.plnk/b/x", { mode: 0o755 }), // same basename, another directory
      ],
    );
    expect(m.files.get("/usr/bin/su")).toMatchObject({ type: "file", mode: 0o4755, uid: 0, size: 3, layer: 1 });
    expect(m.files.get("/usr/bin/sg")).toMatchObject({ type: "file", mode: 0o2755, size: 4, layer: 1 });
    expect(m.files.origin(m.files.get("/usr/bin/sg")!)).toMatchObject({ path: "/.wh..wh.plnk/a/x" }); // its content
    expect(m.unsafe.filter((u) => u.detail?.includes("moby extracts a copy")).map((u) => u.name)).toEqual(["/usr/bin/su", "/usr/bin/sg"]);
  });

  it("a hardlink into .wh..wh.plnk: containerd's shared inode, with moby's stronger special bits, owner and capability", () => {
    const cap = new Uint8Array([1, 0, 0, 2, 0xc0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const m = merge(
      ["usr/", "usr/bin/"],
      [
        h(".wh..wh.plnk/7.1:5", { mode: 0o4750, uid: 0, gid: 0, xattrs: { "security.capability": cap } }),
        h("usr/bin/su => .wh..wh.plnk/7.1", { mode: 0o755, uid: 1000, gid: 1000 }),
      ],
    );
    // containerd: one inode, the link header's 0755 1000:1000, capability dropped by chown.
    // moby: /usr/bin/su is a copy of the plnk header, 4750 root with the capability.
    // Taken: the link's bits plus setuid with moby's owner, and the capability.
    for (const p of ["/usr/bin/su", "/.wh..wh.plnk/7.1"]) {
      expect(m.files.get(p)).toMatchObject({ mode: 0o4755, uid: 0, gid: 1000, size: 5, xattrs: { "security.capability": cap } });
    }
  });

  it("a plnk file in a lower layer: moby fails the layer, containerd links it; the link header applies", () => {
    const m = merge([h(".wh..wh.plnk/7.1:5", { mode: 0o4755 })], [h("su => .wh..wh.plnk/7.1", { mode: 0o755, uid: 7 })]);
    expect(m.files.get("/su")).toMatchObject({ type: "hardlink", mode: 0o755, uid: 7, size: 5 });
  });
});

describe("mergeLayers: bounded unsafe bookkeeping", () => {
  it("writes through one symlinked parent: the first 100 are listed, all are counted", () => {
    const many = Array.from({ length: 1000 }, (_, i) => `a/f${i}:1`);
    const m = merge(["etc/", "a -> /etc"], many);
    expect(m.files.children("/etc")).toHaveLength(1000);
    expect(m.unsafe).toHaveLength(100);
    expect(m.unsafeCounts).toEqual([{ layer: 1, reason: "link-escape", total: 1000, listed: 100 }]);
    expect(m.files.unsafe).toBe(m.unsafe);
    expect(m.files.unsafeCounts).toEqual(m.unsafeCounts);
  });

  it("adds a layer's own counts to the merge's", () => {
    const walk = Array.from({ length: 150 }, (_, i) => `../x${i}`);
    const m = merge(["a -> /"], [...walk, "a/y:1"]);
    expect(m.unsafeCounts).toEqual([
      { layer: 1, reason: "path-escape", total: 150, listed: 100 },
      { layer: 1, reason: "link-escape", total: 1, listed: 1 },
    ]);
    expect(m.unsafe).toHaveLength(101);
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

describe("mergeLayers: PAX g entries", () => {
  const g = (name: string) => h(name, { type: "pax-global", typeflag: 0x67 });

  // containerd's applyNaive and moby's UnpackLayer create the parents of a g entry's name and os.RemoveAll
  // what is there; docker's overlay2 driver (moby's Unpack) skips the entry. Kept, and recorded.
  it("creates the parents of its name, keeps what is there, and records pax-global only then", () => {
    const m = merge(["app/", "app/ok:1", "app/sub/x:1"], [g("app"), g("new/deep/name"), g("pax_global_header")]);
    expect(paths(m)).toEqual(["/", "/app", "/app/ok", "/app/sub", "/app/sub/x", "/new", "/new/deep"]);
    expect(m.unsafe).toEqual([{ layer: 1, name: "/app", reason: "pax-global", detail: expect.stringContaining("docker's overlay2 driver ignores the header; kept") }]);
    expect(m.shadowed).toEqual([]);
  });

  it("later names do not see what it kept: a kept symlink is not followed, a kept file in the way becomes a directory", () => {
    const m = merge(["etc/", "etc/passwd:1", "d -> etc", "f:1"], [g("d"), "d/passwd:2", g("f"), "f/.wh..wh..opq"], ["d -> etc"]);
    expect(m.files.get("/etc/passwd")?.size).toBe(1); // untouched: d/passwd did not go through the kept symlink
    expect(m.files.get("/f")).toMatchObject({ type: "dir", layer: 1 }); // the marker's parent, made where the file was
    expect(m.files.get("/d")).toMatchObject({ type: "symlink", layer: 2 });
    expect(hidden(m)).toContain("/d/passwd@1:overwrite@2");
  });

  it("with no file in the way, its parents are not made through a non-directory (moby does nothing; containerd fails)", () => {
    const m = merge(["a:1"], [g("a/b/c")]);
    expect(paths(m)).toEqual(["/", "/a"]);
    expect(m.files.get("/a")?.type).toBe("file");
  });
});
