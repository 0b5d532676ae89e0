import { describe, expect, it } from "vitest";
import type { TarHeader } from "./tar/tar-header.js";
import { LayerBuilder } from "./layer-builder.js";

function h(name: string, over: Partial<TarHeader> = {}): TarHeader {
  return {
    name, linkname: "", type: "file", typeflag: 48, mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 0,
    uname: "", gname: "", devmajor: 0, devminor: 0, xattrs: {}, sparse: false, ...over,
  };
}

function build(headers: TarHeader[]) {
  const b = new LayerBuilder(3);
  const kinds = headers.map((x) => b.add(x));
  return { b, kinds, index: b.finish({ entries: headers.length, files: 0, tarBytes: 0 }) };
}

describe("LayerBuilder.add classification", () => {
  it.each([
    ["a/.wh.b", "whiteout", { whiteouts: ["/a/b"] }],
    [".wh.b", "whiteout", { whiteouts: ["/b"] }],
    ["./.wh..b", "whiteout", { whiteouts: ["/.b"] }], // hides dotfile ".b"
    ["a/.wh..wh..opq", "opaque", { opaqueDirs: ["/a"] }],
    [".wh..wh..opq", "opaque", { opaqueDirs: ["/"] }],
    [".wh..wh.plnk/", "ignored", {}],
    [".wh..wh.plnk/123.45", "ignored", {}],
    ["a/.wh..wh.aufs", "ignored", {}],
  ] as const)("%j → %s", (name, kind, want) => {
    const { kinds, index, b } = build([h(name)]);
    expect(kinds).toEqual([kind]);
    expect(index.entries).toEqual([]);
    expect(index.whiteouts).toEqual("whiteouts" in want ? want.whiteouts : []);
    expect(index.opaqueDirs).toEqual("opaqueDirs" in want ? want.opaqueDirs : []);
    expect(b.aufsMetaIgnored).toBe(kind === "ignored" ? 1 : 0);
  });

  it.each([".wh.", "a/.wh.", "a/.wh..", "a/.wh...", "./.wh."])("%j → unsafe invalid-whiteout", (name) => {
    const { kinds, index } = build([h(name)]);
    expect(kinds).toEqual(["unsafe"]);
    expect(index.unsafe).toEqual([{ layer: 3, name, reason: "invalid-whiteout", detail: expect.any(String) }]);
    expect(index.whiteouts).toEqual([]);
  });

  it("rejects '..' in names and hardlink targets; keeps symlink targets as stored", () => {
    const { kinds, index } = build([
      h("../evil"),
      h("a/../b"),
      h("l", { type: "hardlink", linkname: "../etc/shadow" }),
      h("s", { type: "symlink", linkname: "../../etc/shadow" }),
    ]);
    expect(kinds).toEqual(["unsafe", "unsafe", "unsafe", "entry"]);
    expect(index.unsafe.map((u) => [u.name, u.reason])).toEqual([
      ["../evil", "path-escape"],
      ["a/../b", "path-escape"],
      ["l", "link-escape"],
    ]);
    expect(index.entries).toMatchObject([{ path: "/s", type: "symlink", linkTarget: "../../etc/shadow" }]);
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
    const contents = new Map([["/etc/passwd", new Uint8Array([1])]]);
    const idx = b.finish({ entries: 4, files: 2, tarBytes: 2048 }, contents);
    expect(idx.stats).toEqual({ entries: 4, files: 2, tarBytes: 2048 });
    expect(idx.contents).toBe(contents);
    expect(idx.index).toBe(0);
  });
});
