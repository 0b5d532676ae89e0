import { describe, expect, it } from "vitest";
import { resolveSymlinks } from "./file-index.js";
import { hardlinkRootPath, ROOT_PATH_MAX_LINKS, rootPath } from "./root-path.js";
import { merge } from "./testing/merge-specs.js";

const tree = merge([
  "usr/", "usr/bin/", "usr/lib/", "a/", "a/b/", "d/", "real/",
  "bin -> usr/bin",
  "lib -> /usr/lib",
  "up -> ../../../..",
  "l -> /a/b",
  "p -> l/../c", // ".." right after a symlink component
  "d/l -> /a/b",
  "d/p -> l/../c",
  "dang -> /nope/deeper",
  "loop1 -> loop2",
  "loop2 -> loop1",
]).files;
const lookup = (p: string) => tree.get(p);
const kernel = (p: string) => resolveSymlinks(lookup, p, { followFinal: true, strict: false });

describe("rootPath: containerd's fs.RootPath", () => {
  it.each([
    ["usr/bin", "/usr/bin"],
    ["bin", "/usr/bin"],
    ["bin/x/y", "/usr/bin/x/y"], // missing components are taken literally
    ["lib/", "/usr/lib"],
    ["up/etc", "/etc"], // ".." at the root stays at the root
    ["dang", "/nope/deeper"],
    ["", "/"],
    ["/", "/"],
  ])("%j → %j", (p, want) => {
    expect(rootPath(lookup, p)).toBe(want);
  });

  it("a symlink loop (more than 255 links) is an error: null", () => {
    expect(ROOT_PATH_MAX_LINKS).toBe(255);
    expect(rootPath(lookup, "loop1/x")).toBeNull();
  });

  it("follows chains longer than the kernel's 40 links, up to 255", () => {
    const specs = ["t/"];
    for (let i = 0; i < 60; i++) specs.push(i === 59 ? `l${i} -> t` : `l${i} -> l${i + 1}`);
    const fi = merge(specs).files;
    const look = (p: string) => fi.get(p);
    expect(rootPath(look, "l0")).toBe("/t");
    expect(resolveSymlinks(look, "/l0", { followFinal: true, strict: true })).toBeNull();
  });

  it("applies '..' in a symlink target lexically where walkLinks joins it, unlike the kernel", () => {
    // d/p → l/../c inside d: Join("/d", "l/../c") = /d/c; the kernel follows d/l first.
    expect(rootPath(lookup, "d/p")).toBe("/d/c");
    expect(kernel("/d/p")).toBe("/a/c");
    // A relative one-component path hands the raw target on: l is followed before "..".
    expect(rootPath(lookup, "p")).toBe("/a/c");
    // The same name stored with a leading "/" is joined to "/" at once.
    expect(rootPath(lookup, "/p", false)).toBe("/c");
  });

  it("hardlinkRootPath resolves the parent part and never follows the last component", () => {
    expect(hardlinkRootPath(lookup, "bin")).toBe("/bin");
    expect(hardlinkRootPath(lookup, "bin/x")).toBe("/usr/bin/x");
    expect(hardlinkRootPath(lookup, "../../lib")).toBe("/lib");
    expect(hardlinkRootPath(lookup, "bin/")).toBe("/usr/bin"); // a trailing "/" makes it a parent
    expect(hardlinkRootPath(lookup, "loop1/x")).toBeNull();
  });
});
