import { describe, expect, it } from "vitest";
import type { TarHeader } from "./tar/tar-header.js";
import { LayerBuilder } from "./layer-builder.js";
import type { LayerIndex } from "./layer-index.js";

function h(name: string, over: Partial<TarHeader> = {}): TarHeader {
  return {
    name, linkname: "", type: "file", typeflag: 48, mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 0,
    uname: "", gname: "", devmajor: 0, devminor: 0, xattrs: {}, sparse: false, ...over,
  };
}

/** [kind, path, entries before it] for every mark, in order. */
function marks(index: LayerIndex): [string, string, number][] {
  return index.marks.kind.map((k, i) => [k, index.marks.path[i]!, index.marks.at[i]!]);
}

function build(headers: TarHeader[]) {
  const b = new LayerBuilder(3);
  const kinds = headers.map((x) => b.add(x));
  return { b, kinds, index: b.finish({ entries: headers.length, files: 0, tarBytes: 0 }) };
}

describe("LayerBuilder.add classification", () => {
  // containerd recognises whiteouts by the basename alone (archive/tar.go
  // convertWhiteout): `.wh..wh.x` is a whiteout of `.wh.x`, not AUFS metadata.
  it.each([
    ["a/.wh.b", "whiteout", ["whiteout", "/a/b"]],
    [".wh.b", "whiteout", ["whiteout", "/b"]],
    ["./.wh..b", "whiteout", ["whiteout", "/.b"]], // hides dotfile ".b"
    ["a/.wh..wh..opq", "opaque", ["opaque", "/a"]],
    [".wh..wh..opq", "opaque", ["opaque", "/"]],
    ["a/.wh..wh.aufs", "whiteout", ["whiteout", "/a/.wh.aufs"]],
    ["x/../a/.wh.b", "whiteout", ["whiteout", "/a/b"]],
  ] as const)("%j → %s", (name, kind, mark) => {
    const { kinds, index } = build([h(name)]);
    expect(kinds).toEqual([kind]);
    expect(index.entries).toEqual([]);
    expect(marks(index)).toEqual([[...mark, 0]]);
    expect(index.unsafe).toEqual([]);
  });

  // moby skips every name under a top-level .wh..wh.* after creating its parents (UnpackLayer,
  // https://github.com/moby/moby/blob/v20.10.24/pkg/archive/diff.go), the root's opaque marker excepted;
  // containerd applies them. Nothing is removed; the parents are made.
  it("a whiteout or marker under a top-level .wh..wh.* name only makes its parents, recorded aufs-name", () => {
    const { kinds, index } = build([h(".wh..wh.plnk/"), h(".wh..wh.x/d/.wh..wh..opq"), h("./.wh..wh..opq"), h("/.wh..wh.y")]);
    expect(kinds).toEqual(["whiteout", "opaque", "opaque", "whiteout"]);
    expect(marks(index)).toEqual([
      ["parents", "/", 0],
      ["parents", "/.wh..wh.x/d", 0],
      ["opaque", "/", 0],
      ["whiteout", "/.wh.y", 0], // a rooted name: moby's Clean keeps the "/", so no prefix match
    ]);
    expect(index.unsafe.map((u) => [u.name, u.reason])).toEqual([
      [".wh..wh.plnk/", "aufs-name"],
      [".wh..wh.x/d/.wh..wh..opq", "aufs-name"],
    ]);
  });

  it("keeps whiteouts, opaque markers and g entries in stream order among the entries", () => {
    const { kinds, index } = build([
      h("a/x"),
      h("a/.wh.x"),
      h("a/x"),
      h("pax_global_header", { type: "pax-global", typeflag: 0x67 }),
      h("a/.wh..wh..opq"),
      h("b"),
      h("./", { type: "pax-global", typeflag: 0x67 }), // resolves to the root: containerd skips it
      h("c/.wh.d", { type: "pax-global", typeflag: 0x67 }), // named like a whiteout: both runtimes take it for one
    ]);
    expect(kinds).toEqual(["entry", "whiteout", "entry", "pax-global", "opaque", "entry", "pax-global", "whiteout"]);
    expect(index.entries.map((e) => e.path)).toEqual(["/a/x", "/a/x", "/b"]);
    expect(marks(index)).toEqual([
      ["whiteout", "/a/x", 1],
      ["pax-global", "/pax_global_header", 2],
      ["opaque", "/a", 2],
      ["whiteout", "/c/d", 3],
    ]);
    expect(index.unsafe).toEqual([]);
  });

  it("keeps entries under a top-level .wh..wh.* directory (containerd extracts them; moby skips them)", () => {
    const { kinds, index } = build([
      h(".wh..wh.plnk/123.45", { size: 3 }),
      h("./.wh..wh.x/su", { mode: 0o4755, size: 9 }),
      h("/.wh..wh.y/z"), // moby tests the cleaned name, which keeps the "/": it extracts this one too
      h("a/.wh..wh.x/f"), // not at the root: both extract it
    ]);
    expect(kinds).toEqual(["entry", "entry", "entry", "entry"]);
    expect(index.entries.map((e) => [e.path, e.mode])).toEqual([
      ["/.wh..wh.plnk/123.45", 0o644],
      ["/.wh..wh.x/su", 0o4755],
      ["/.wh..wh.y/z", 0o644],
      ["/a/.wh..wh.x/f", 0o644],
    ]);
    expect(index.unsafe.map((u) => [u.name, u.reason])).toEqual([
      [".wh..wh.plnk/123.45", "aufs-name"],
      ["./.wh..wh.x/su", "aufs-name"],
    ]);
  });

  it("maps a hardlink into .wh..wh.plnk to the plnk file moby copies in its place (same layer, by basename)", () => {
    const { index } = build([
      h(".wh..wh.plnk/1.2", { mode: 0o4755, size: 4 }),
      h("bin/su", { type: "hardlink", linkname: ".wh..wh.plnk/1.2" }),
      h("bin/other", { type: "hardlink", linkname: ".wh..wh.plnk/9.9" }),
      h("bin/abs", { type: "hardlink", linkname: "/.wh..wh.plnk/1.2" }),
    ]);
    const [plnk, su, other, abs] = index.entries;
    expect(index.aufsLinks.get(su!)).toBe(plnk);
    expect(index.aufsLinks.has(other!)).toBe(false); // moby fails the layer; containerd's link stands alone
    expect(index.aufsLinks.has(abs!)).toBe(false); // Clean keeps the "/": moby links it normally
    expect(su!.linkTarget).toBe("/.wh..wh.plnk/1.2");
  });

  // containerd refuses these (validateWhiteout); moby removes filepath.Join(dir, base[4:]):
  // the directory itself, or its parent for ".wh...", and fails removing "/".
  // For ".wh..." moby's MkdirAll has made the marker's own directory first, which may lie elsewhere
  // (through a symlink) and outlive the removal: a "parents" mark makes it.
  it.each([
    ["a/b/.wh.", "/a/b", []],
    ["a/b/.wh..", "/a/b", []],
    ["a/b/.wh...", "/a", [["parents", "/a/b", 0]]],
    ["./a/.wh.", "/a", []],
  ] as const)("%j → invalid-whiteout, removes %s as moby does", (name, gone, before) => {
    const { kinds, index } = build([h(name)]);
    expect(kinds).toEqual(["whiteout"]);
    expect(index.unsafe).toEqual([{ layer: 3, name, reason: "invalid-whiteout", detail: `containerd refuses this layer; moby removes ${gone}, and so do we` }]);
    expect(marks(index)).toEqual([...before, ["whiteout", gone, 0]]);
  });

  it.each([".wh.", ".wh..", "./.wh.", "a/.wh..."])("%j names the root: invalid-whiteout, removes nothing", (name) => {
    const { kinds, index } = build([h(name)]);
    expect(kinds).toEqual(["unsafe"]);
    expect(index.unsafe).toEqual([{ layer: 3, name, reason: "invalid-whiteout", detail: expect.stringContaining("containerd refuses this layer") }]);
    expect(marks(index)).toEqual([]);
  });

  it("cleans '..' as the runtimes do, clamps a name that climbs out, keeps symlink targets as stored", () => {
    const { kinds, index } = build([
      h("x/../etc/passwd"),
      h("usr/lib/../bin/sh"),
      h("../usr/bin/su", { mode: 0o4755 }),
      h("a/../../b"),
      h("/../c"), // rooted: Go's Clean drops ".." at "/", no climb
      h("l", { type: "hardlink", linkname: "../etc/shadow" }),
      h("l2", { type: "hardlink", linkname: "etc/x/../shadow" }),
      h("s", { type: "symlink", linkname: "../../etc/shadow" }),
    ]);
    expect(kinds).toEqual(Array(8).fill("entry"));
    expect(index.entries.map((e) => [e.path, e.type, e.linkTarget])).toEqual([
      ["/etc/passwd", "file", undefined],
      ["/usr/bin/sh", "file", undefined],
      ["/usr/bin/su", "file", undefined],
      ["/b", "file", undefined],
      ["/c", "file", undefined],
      ["/l", "hardlink", "/etc/shadow"],
      ["/l2", "hardlink", "/etc/shadow"],
      ["/s", "symlink", "../../etc/shadow"],
    ]);
    expect(index.unsafe).toEqual([
      { layer: 3, name: "../usr/bin/su", reason: "path-escape", detail: expect.stringMatching(/clamped into the root at \/usr\/bin\/su, where containerd and moby/) },
      { layer: 3, name: "a/../../b", reason: "path-escape", detail: expect.stringContaining("clamped into the root at /b") },
      { layer: 3, name: "l", reason: "link-escape", detail: expect.stringMatching(/clamped to \/etc\/shadow, as containerd and moby/) },
    ]);
    // Not-plain hardlink names are kept for containerd's component-wise resolution.
    expect([...index.linkNames.values()]).toEqual(["../etc/shadow", "etc/x/../shadow"]);
  });

  it("a symlink's mode is 0777 whatever its header says (no lchmod on Linux)", () => {
    const { index } = build([h("s", { type: "symlink", linkname: "t", mode: 0o4755 })]);
    expect(index.entries[0]!.mode).toBe(0o777);
  });

  it("keeps the first 100 unsafe entries per reason and counts the rest", () => {
    const headers = Array.from({ length: 250 }, (_, i) => h(`../f${i}`));
    headers.push(h("weird", { type: "unknown", typeflag: 90 }));
    const { index } = build(headers);
    expect(index.entries).toHaveLength(250);
    expect(index.unsafe.filter((u) => u.reason === "path-escape")).toHaveLength(100);
    expect(index.unsafe.map((u) => u.name).slice(0, 2)).toEqual(["../f0", "../f1"]);
    expect(index.unsafeCounts).toEqual([
      { layer: 3, reason: "path-escape", total: 250, listed: 100 },
      { layer: 3, reason: "unsupported-type", total: 1, listed: 1 },
    ]);
  });

  it("canonicalises hardlink targets relative to the archive root", () => {
    const { index } = build([h("bin/b", { type: "hardlink", linkname: "./bin/a" })]);
    expect(index.entries).toEqual([
      { path: "/bin/b", type: "hardlink", mode: 0o644, uid: 0, gid: 0, size: 0, linkTarget: "/bin/a", layer: 3 },
    ]);
  });

  it("maps tar types; sparse is flagged but kept as a file; unknown is dropped", () => {
    const { kinds, index } = build([
      h("c", { type: "contiguous", size: 5 }),
      h("s1", { type: "gnu-sparse", size: 7 }),
      h("s2", { sparse: true, size: 9 }),
      h("dev/null", { type: "char", devmajor: 1, devminor: 3, size: 4 }),
      h("p", { type: "fifo" }),
      h("weird", { type: "unknown", typeflag: "X".charCodeAt(0) }),
      h("./", { type: "file" }),
    ]);
    expect(kinds).toEqual(["entry", "entry", "entry", "entry", "entry", "unsafe", "unsafe"]);
    expect(index.entries.map((e) => [e.path, e.type, e.size])).toEqual([
      ["/c", "file", 5],
      ["/s1", "file", 7],
      ["/s2", "file", 9],
      ["/dev/null", "char", 0],
      ["/p", "fifo", 0],
    ]);
    expect(index.unsafe.map((u) => [u.name, u.reason])).toEqual([
      ["s1", "sparse"],
      ["s2", "sparse"],
      ["weird", "unsupported-type"],
      ["./", "path-escape"],
    ]);
  });

  it("keeps mode bits and only non-empty xattrs", () => {
    const cap = new Uint8Array([1, 0, 0, 2]);
    const { index } = build([h("su", { mode: 0o4755 }), h("ping", { xattrs: { "security.capability": cap } })]);
    expect(index.entries[0]!.mode).toBe(0o4755);
    expect("xattrs" in index.entries[0]!).toBe(false);
    expect(index.entries[1]!.xattrs).toEqual({ "security.capability": cap });
  });

  it("records duplicates once and keeps every copy in stream order", () => {
    const { index, b } = build([h("f", { size: 1 }), h("./f", { size: 2 }), h("/f", { size: 3 }), h("g")]);
    expect(index.duplicates).toEqual(["/f"]);
    expect(index.entries.map((e) => e.size)).toEqual([1, 2, 3, 0]);
    expect(b.last()?.path).toBe("/g");
  });

  it("finish passes stats and contents through", () => {
    const b = new LayerBuilder(0);
    b.add(h("etc/passwd", { size: 1 }));
    const contents = new Map([[b.last()!, new Uint8Array([1])]]);
    const idx = b.finish({ entries: 4, files: 2, tarBytes: 2048 }, contents);
    expect(idx.stats).toEqual({ entries: 4, files: 2, tarBytes: 2048 });
    expect(idx.contents).toBe(contents);
    expect(idx.index).toBe(0);
  });
});
