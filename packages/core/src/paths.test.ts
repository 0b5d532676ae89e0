import { describe, expect, it } from "vitest";
import {
  basename, canonicalPath, cleanName, climbsAboveRoot, hasBasename, hasDotDot, joinPath, parentOf, pushComponentsReversed,
} from "./paths.js";

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

describe("cleanName: Go's filepath.Clean, rooted, '..' clamped at the root", () => {
  it.each([
    ["./a/b/", "/a/b", false],
    ["x/../etc/passwd", "/etc/passwd", false],
    ["usr/lib/../bin/sh", "/usr/bin/sh", false],
    ["../usr/bin/su", "/usr/bin/su", true],
    ["./../evil", "/evil", true],
    ["a/../../b", "/b", true],
    ["a/b/../../../c", "/c", true],
    ["/../x", "/x", false], // rooted: Clean drops ".." at "/"
    ["..", "/", true],
    ["a/..", "/", false],
    ["a/b/../", "/a", false],
    ["a/./b//c/.", "/a/b/c", false],
    ["a/...", "/a/...", false],
    ["a/..b/../c", "/a/c", false],
    ["\udcff/../\udcfe", "/\udcfe", false], // surrogate-escaped bytes are ordinary characters
    ["", "/", false],
  ])("%j → %j (climbs: %s)", (input, want, climbs) => {
    expect(cleanName(input)).toBe(want);
    expect(climbsAboveRoot(input)).toBe(climbs);
  });

  it("keeps lone surrogates (invalid UTF-8 bytes) as they are", () => {
    expect(cleanName("a/\udcff\udcfe/x/..")).toBe("/a/\udcff\udcfe");
    expect(cleanName("a/\udcff")).not.toBe(cleanName("a/\udcfe"));
  });

  it("hasDotDot finds '..' components only", () => {
    expect(["a/../b", "..", "../x", "x/..", "x/../"].map(hasDotDot)).toEqual([true, true, true, true, true]);
    expect(["a/..b", "...", "a..", "..a/b", "a/b"].map(hasDotDot)).toEqual([false, false, false, false, false]);
  });

  it("hasBasename compares the last component without allocating", () => {
    expect(hasBasename("/etc/passwd", "passwd")).toBe(true);
    expect(hasBasename("/e/passwd", "passwd")).toBe(true);
    expect(hasBasename("/passwd", "passwd")).toBe(true);
    expect(hasBasename("/etc/xpasswd", "passwd")).toBe(false);
    expect(hasBasename("/etc/passwd-", "passwd")).toBe(false);
    expect(hasBasename("passwd", "passwd")).toBe(false);
  });
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
