// Where the merge says the wasted bytes are (MergedFilesystem.waste), on
// small layer specs: files and directories, hardlinks counted once, one path
// wasted twice, and top + rest always equal to wastedBytes.
import { describe, expect, it } from "vitest";
import { merge } from "../packages/core/src/testing/merge-specs.js";
import type { MergedFilesystem } from "../packages/core/src/merge-layers.js";

function reconciles(m: MergedFilesystem): void {
  expect(m.waste.top.reduce((s, w) => s + w.bytes, 0) + m.waste.rest.bytes).toBe(m.wastedBytes);
}

describe("MergedFilesystem.waste", () => {
  it("an opaque directory: its files one by one when a directory one level deep holds files and a subdirectory", () => {
    const m = merge(["a/", "a/x:10", "a/sub/", "a/sub/y:5", "b:1"], ["a/new:3", "a/.wh..wh..opq", "a/sub/"]);
    expect(m.waste.top).toEqual([
      { path: "/a/x", kind: "file", bytes: 10, files: 1, addedIn: 0, removedIn: 1, how: "opaque" },
      { path: "/a/sub/y", kind: "file", bytes: 5, files: 1, addedIn: 0, removedIn: 1, how: "opaque" },
    ]);
    reconciles(m);
  });

  it("a deleted subtree two levels deep is one directory", () => {
    const m = merge(["srv/", "srv/cache/", "srv/cache/a:4", "srv/cache/b:6", "srv/cache/deep/", "srv/cache/deep/c:1"], [".wh.srv"]);
    expect(m.waste.top).toEqual([{ path: "/srv/cache", kind: "dir", bytes: 11, files: 3, addedIn: 0, removedIn: 1, how: "whiteout" }]);
    reconciles(m);
  });

  it("a file deleted with all its hardlinks counts once", () => {
    const m = merge(["f:5", "g => f"], [".wh.f", ".wh.g"]);
    expect(m.waste.top).toEqual([{ path: "/f", kind: "file", bytes: 5, files: 1, addedIn: 0, removedIn: 1, how: "whiteout" }]);
    reconciles(m);
  });

  it("one path overwritten twice is two entries, one per pair of layers", () => {
    const m = merge(["x:1"], ["x:2"], ["x:3"]);
    expect(m.waste.top).toEqual([
      { path: "/x", kind: "file", bytes: 2, files: 1, addedIn: 1, removedIn: 2, how: "overwrite" },
      { path: "/x", kind: "file", bytes: 1, files: 1, addedIn: 0, removedIn: 1, how: "overwrite" },
    ]);
    reconciles(m);
  });

  it("nothing wasted: nothing listed", () => {
    const m = merge(["a:1"], ["b:2"]);
    expect(m.waste).toEqual({ top: [], rest: { bytes: 0, files: 0 } });
  });
});
