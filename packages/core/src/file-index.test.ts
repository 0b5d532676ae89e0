import { describe, expect, it } from "vitest";
import type { TarHeader } from "./tar/tar-header.js";
import { LayerBuilder } from "./layer-builder.js";
import { mergeLayers } from "./merge-layers.js";
import { MAX_SYMLINK_HOPS } from "./file-index.js";

/** "dir/" → dir, "name -> target" → symlink, "name => target" → hardlink, else a file. */
function h(spec: string, over: Partial<TarHeader> = {}): TarHeader {
  const base: TarHeader = {
    name: spec, linkname: "", type: "file", typeflag: 48, mode: 0o644, uid: 0, gid: 0, size: 1, mtime: 0,
    uname: "", gname: "", devmajor: 0, devminor: 0, xattrs: {}, sparse: false,
  };
  const sym = spec.split(" -> ");
  const hard = spec.split(" => ");
  if (sym.length === 2) Object.assign(base, { name: sym[0], linkname: sym[1], type: "symlink", size: 0 });
  else if (hard.length === 2) Object.assign(base, { name: hard[0], linkname: hard[1], type: "hardlink", size: 0 });
  else if (spec.endsWith("/")) Object.assign(base, { type: "dir", mode: 0o755, size: 0 });
  return { ...base, ...over };
}

function index(...specs: string[]) {
  const b = new LayerBuilder(0);
  for (const s of specs) b.add(h(s));
  return mergeLayers([b.finish({ entries: 0, files: 0, tarBytes: 0 })]).files;
}

const usrMerged = index(
  "usr/", "usr/bin/", "usr/lib/", "etc/", "etc/alternatives/",
  "bin -> usr/bin",
  "lib -> /usr/lib",
  "usr/bin/dash",
  "usr/bin/sh -> dash",
  "usr/bin/python3.11",
  "usr/bin/python3 -> python3.11",
  "usr/bin/vi -> /etc/alternatives/vi",
  "etc/alternatives/vi -> ../../usr/bin/vim.basic",
  "usr/bin/vim.basic",
  "etc/passwd",
  "escape -> ../../../../../etc/passwd",
  "dotdot -> /usr/bin/../lib",
  "loop1 -> loop2",
  "loop2 -> loop1",
  "self -> self",
  "dangling -> /nope",
  "empty -> ",
  "usr/bin/busybox",
  "usr/bin/ash => usr/bin/busybox",
);

describe("FileIndex.resolve / resolvePath", () => {
  it.each([
    ["/bin/sh", "/usr/bin/dash"], // merged-/usr, then a relative link
    ["/bin", "/usr/bin"],
    ["bin/sh", "/usr/bin/dash"], // relative query = from the root
    ["/lib", "/usr/lib"],
    ["/usr/bin/python3", "/usr/bin/python3.11"],
    ["/bin/vi", "/usr/bin/vim.basic"], // absolute → relative with ".."
    ["/escape", "/etc/passwd"], // ".." at the root stays at the root
    ["/dotdot", "/usr/lib"],
    ["/bin/../etc/passwd", undefined], // ".." after a symlink is the target's parent: /usr/etc/passwd
    ["/bin/..", "/usr"],
    ["/usr/../etc/passwd", "/etc/passwd"],
    ["/../../etc/passwd", "/etc/passwd"],
    ["/etc/passwd", "/etc/passwd"],
    ["/", "/"],
    ["/loop1", undefined],
    ["/self", undefined],
    ["/dangling", undefined],
    ["/empty", undefined],
    ["/etc/passwd/x", undefined], // a file is not a directory
    ["/missing/x", undefined],
  ])("%j → %j", (query, want) => {
    expect(usrMerged.resolvePath(query)).toBe(want);
    expect(usrMerged.resolve(query)?.path).toBe(want);
  });

  it("get is lexical: no symlink is followed", () => {
    expect(usrMerged.get("/bin")?.type).toBe("symlink");
    expect(usrMerged.get("bin/")?.linkTarget).toBe("usr/bin");
    expect(usrMerged.get("/bin/sh")).toBeUndefined();
    expect(usrMerged.get("/usr/../etc")).toBeUndefined();
  });

  it("follows a hardlink to its bound file", () => {
    const ash = usrMerged.get("/usr/bin/ash")!;
    expect(ash.type).toBe("hardlink");
    expect(usrMerged.resolve("/usr/bin/ash")).toBe(usrMerged.get("/usr/bin/busybox"));
    expect(usrMerged.hardlinkTarget(ash)).toBe(usrMerged.get("/usr/bin/busybox"));
  });

  it.each([
    [MAX_SYMLINK_HOPS, true],
    [MAX_SYMLINK_HOPS + 1, false],
  ])("a chain of %d symlinks resolves: %s (Linux MAXSYMLINKS)", (n, ok) => {
    const specs = ["target"];
    for (let i = 0; i < n; i++) specs.push(i === n - 1 ? `l${i} -> target` : `l${i} -> l${i + 1}`);
    const fi = index(...specs);
    expect(fi.resolvePath("/l0")).toBe(ok ? "/target" : undefined);
    expect(fi.resolvePath(`/l${n - 1}`)).toBe("/target");
  });
});

describe("FileIndex lookups", () => {
  it("byBasename, children, size and sorted iteration", () => {
    expect(usrMerged.byBasename("sh").map((e) => e.path)).toEqual(["/usr/bin/sh"]);
    expect(usrMerged.byBasename("vi").map((e) => e.path)).toEqual(["/etc/alternatives/vi", "/usr/bin/vi"]);
    expect(usrMerged.byBasename("nope")).toEqual([]);
    // A whole last component only: "im.basic" ends "/usr/bin/vim.basic" but does not name it; no "/" in a basename.
    expect(usrMerged.byBasename("im.basic")).toEqual([]);
    expect(usrMerged.byBasename("dash").map((e) => e.path)).toEqual(["/usr/bin/dash"]);
    expect(usrMerged.byBasename("bin/dash")).toEqual([]);
    expect(usrMerged.byBasename("usr").map((e) => e.path)).toEqual(["/usr"]);
    expect(usrMerged.byBasename("vi")).toBe(usrMerged.byBasename("vi"));
    expect(usrMerged.children("/etc").map((e) => e.path)).toEqual(["/etc/alternatives", "/etc/passwd"]);
    expect(usrMerged.children("etc/").length).toBe(2);
    expect(usrMerged.children("/etc/passwd")).toEqual([]);
    const paths = [...usrMerged].map((e) => e.path);
    expect(paths[0]).toBe("/");
    expect(paths).toEqual([...paths].sort());
    expect(usrMerged.size).toBe(paths.length);
    expect(new Set(paths).size).toBe(paths.length);
  });
});
