import { describe, expect, it } from "vitest";
import { basename, canonicalPath, joinPath, parentOf, pushComponentsReversed } from "./paths.js";

describe("canonicalPath", () => {
  it.each([
    ["./a/b/", "/a/b"],
    ["/a/b", "/a/b"],
    ["a//b", "/a/b"],
    ["a/./b", "/a/b"],
    ["a", "/a"],
    ["./a", "/a"],
    [".", "/"],
    ["./", "/"],
    ["/", "/"],
    ["", "/"],
    ["//", "/"],
    ["a/.wh..wh..opq", "/a/.wh..wh..opq"],
    ["a/.wh..", "/a/.wh.."],
    ["a/...", "/a/..."],
    ["a/..b", "/a/..b"],
    ["a\\..\\b", "/a\\..\\b"], // backslash is an ordinary byte on Linux
    ["usr/lib/x86_64-linux-gnu/", "/usr/lib/x86_64-linux-gnu"],
  ])("%j → %j", (input, want) => {
    expect(canonicalPath(input)).toBe(want);
  });

  it.each(["..", "../evil", "./../evil", "a/../../b", "a/../b", "a/..", "/..", "a/b/../"])(
    "%j → null (any '..' component is rejected, never clamped)",
    (input) => {
      expect(canonicalPath(input)).toBeNull();
    },
  );
});

describe("parentOf / basename / joinPath", () => {
  it.each([
    ["/a/b", "/a", "b"],
    ["/a", "/", "a"],
    ["/", "/", ""],
  ])("%j → parent %j, basename %j", (p, parent, base) => {
    expect(parentOf(p)).toBe(parent);
    expect(basename(p)).toBe(base);
  });

  it("joins one component", () => {
    expect(joinPath("/", "a")).toBe("/a");
    expect(joinPath("/a", "b")).toBe("/a/b");
  });
});

describe("pushComponentsReversed", () => {
  it.each([
    ["a/b", ["a", "b"]],
    ["/a/./b/", ["a", "b"]],
    ["../x", ["..", "x"]],
    ["/", []],
    ["", []],
  ])("%j pops as %j", (p, want) => {
    const stack: string[] = [];
    pushComponentsReversed(stack, p);
    expect(stack.reverse()).toEqual(want);
  });
});
