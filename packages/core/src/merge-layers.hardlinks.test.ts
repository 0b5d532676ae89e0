import { describe, expect, it } from "vitest";
import { h, hidden, merge, paths } from "./testing/merge-specs.js";

const CAP = "security.capability";
const capA = new Uint8Array([1, 0, 0, 2, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
const capB = new Uint8Array([1, 0, 0, 2, 0xc0, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
const userX = new Uint8Array([0x78]);

describe("mergeLayers: a hardlink header changes the shared inode", () => {
  it("adds setuid to a harmless file: every name shows the link header's mode and owner", () => {
    const m = merge([h("bin/true:10", { mode: 0o755, uid: 5 })], [h("bin/su => bin/true", { mode: 0o4755, uid: 0 })]);
    const t = m.files.get("/bin/true")!;
    const su = m.files.get("/bin/su")!;
    expect(t).toEqual({ path: "/bin/true", type: "file", mode: 0o4755, uid: 0, gid: 0, size: 10, layer: 0 });
    expect(su).toEqual({ path: "/bin/su", type: "hardlink", mode: 0o4755, uid: 0, gid: 0, size: 10, linkTarget: "/bin/true", layer: 1 });
    expect(m.files.hardlinkTarget(su)).toBe(t);
    expect(m.files.resolve("/bin/su")).toBe(t);
  });

  it("chown drops the inode's capability; the link header's xattrs are set on top", () => {
    const m = merge(
      [h("ping:4", { mode: 0o755, xattrs: { [CAP]: capA, "user.x": userX } })],
      [h("p2 => ping", { mode: 0o755 })],
    );
    for (const p of ["/ping", "/p2"]) expect(m.files.get(p)?.xattrs).toEqual({ "user.x": userX });
    const m2 = merge([h("ping:4", { mode: 0o755, xattrs: { [CAP]: capA } })], [h("p2 => ping", { mode: 0o755 })], [
      h("p3 => p2", { mode: 0o755, xattrs: { [CAP]: capB } }),
    ]);
    for (const p of ["/ping", "/p2", "/p3"]) expect(m2.files.get(p)?.xattrs).toEqual({ [CAP]: capB });
    expect(m2.files.hardlinkTarget(m2.files.get("/p3")!)).toBe(m2.files.get("/ping"));
  });

  it("the latest header wins for every name, whichever name it links to", () => {
    const m = merge([h("a:1", { mode: 0o600 }), h("b => a", { mode: 0o640, gid: 4 })], [h("c => b", { mode: 0o2755, gid: 50 })]);
    for (const p of ["/a", "/b", "/c"]) expect(m.files.get(p)).toMatchObject({ mode: 0o2755, gid: 50, size: 1 });
  });

  it("a later overwrite or whiteout unlinks only that name; the others keep content and metadata", () => {
    const m = merge([h("t1:3"), h("t2 => t1", { mode: 0o4755 }), h("t3 => t1", { mode: 0o4755 }), "f:5", "g => f"], ["t1:4", ".wh.f"]);
    // /t1 is a new file now: /t2 is the old inode's first live name, a file, and /t3 a hardlink to it.
    const t2 = m.files.get("/t2")!;
    expect(t2).toMatchObject({ type: "file", size: 3, mode: 0o4755, layer: 0 });
    expect(t2.linkTarget).toBeUndefined();
    expect(m.files.origin(t2)).toMatchObject({ path: "/t1", layer: 0, size: 3 }); // its content is t1's
    const t3 = m.files.get("/t3")!;
    expect(t3).toMatchObject({ type: "hardlink", linkTarget: "/t2", size: 3, mode: 0o4755 });
    expect(m.files.hardlinkTarget(t3)).toBe(t2);
    expect(m.files.get("/t1")).toMatchObject({ size: 4, mode: 0o644 });
    expect(m.files.get("/g")).toMatchObject({ type: "file", size: 5 });
    expect(m.files.origin(m.files.get("/g")!)).toMatchObject({ path: "/f", layer: 0 });
    expect(m.wastedBytes).toBe(0);
  });

  it("a shadowed hardlink never counts; a file shadowed with all its links counts once", () => {
    const m = merge(["f:5", "g => f"], [".wh.f", ".wh.g"]);
    expect(hidden(m)).toEqual(["/f@0:whiteout@1", "/g@0:whiteout@1"]);
    expect(m.wastedBytes).toBe(5);
    const g = m.shadowed.find((s) => s.path === "/g")!;
    expect(g).toMatchObject({ type: "hardlink", size: 5 });
    expect(m.files.hardlinkTarget(g)).toMatchObject({ path: "/f", size: 5 });
  });

  it("a hardlink to a symlink is a second symlink (link() does not follow it); writes go through it", () => {
    const m = merge(["etc/", "etc/passwd:3", "s -> /etc", h("h => s", { uid: 9 })], ["h/shadow:2"]);
    expect(m.files.get("/h")).toEqual({ path: "/h", type: "symlink", mode: 0o777, uid: 9, gid: 0, size: 0, linkTarget: "/etc", layer: 0 });
    expect(m.files.get("/s")).toMatchObject({ type: "symlink", uid: 9 }); // lchown of the shared inode
    expect(m.files.get("/etc/shadow")?.size).toBe(2);
    expect(m.files.resolve("/h/passwd")?.path).toBe("/etc/passwd");
  });

  it("a target that is missing or a directory makes the runtime fail: the entry is dropped and recorded", () => {
    const m = merge(["old:7", "d/", h("h => nowhere", { mode: 0o4755 }), "hd => d", "self => self", "old => gone"]);
    expect(paths(m)).toEqual(["/", "/d", "/old"]);
    expect(m.files.get("/old")?.size).toBe(7); // the path it would have replaced stays
    expect(m.unsafe.map((u) => [u.name, u.reason])).toEqual([
      ["/h", "invalid-hardlink"],
      ["/hd", "invalid-hardlink"],
      ["/self", "invalid-hardlink"],
      ["/old", "invalid-hardlink"],
    ]);
    expect(m.unsafe[1]!.detail).toMatch(/is a directory: link\(\) fails and the runtime fails this layer/);
  });

  it("a link over its own target's directory finds nothing (the directory is removed first)", () => {
    const m = merge(["d/", "d/f:1"], ["d => d/f"]);
    expect(m.files.get("/d/f")).toBeDefined();
    expect(m.unsafe).toMatchObject([{ name: "/d", reason: "invalid-hardlink" }]);
  });

  it("a target that climbs out is clamped into the root, as containerd and moby (chrooted at the layer root) do", () => {
    const m = merge(["etc/", h("etc/shadow:3", { mode: 0o640 })], ["app/", h("app/shadow => ../../etc/shadow", { mode: 0o644 })]);
    expect(m.files.get("/app/shadow")).toMatchObject({ type: "hardlink", linkTarget: "/etc/shadow", size: 3, mode: 0o644 });
    expect(m.files.get("/etc/shadow")).toMatchObject({ mode: 0o644 });
    expect(m.unsafe.map((u) => [u.name, u.reason])).toEqual([["app/shadow", "link-escape"]]);
  });

  it("a target reached through a symlinked parent, or through '..' after one (hardlinkRootPath)", () => {
    const m = merge(["real/", "real/f:3", "real/sub/", "sym -> real", "deep -> /real/sub"], ["h => sym/f", "k => deep/../f"]);
    expect(m.files.hardlinkTarget(m.files.get("/h")!)).toBe(m.files.get("/real/f"));
    // containerd does not clean link names: deep → /real/sub, then ".." → /real, so /real/f
    // (cleaning first would look for /f, which does not exist).
    expect(m.files.hardlinkTarget(m.files.get("/k")!)).toBe(m.files.get("/real/f"));
    // `link` shows where the link went, not the name as stored.
    expect(m.files.get("/h")?.linkTarget).toBe("/real/f");
    expect(m.files.get("/k")?.linkTarget).toBe("/real/f");
    expect(m.unsafe).toEqual([]);
  });
});

describe("mergeLayers: identity (origin)", () => {
  it("an entry written through a symlinked parent, every name of an inode and shadowed copies lead to the walk-time entry", () => {
    const m = merge(["etc/", "e -> etc", "bin/", "bin/bb:9"], ["e/passwd:3", h("bin/sh => bin/bb", { mode: 0o755 })], [".wh.bin"]);
    const passwd = m.files.get("/etc/passwd")!;
    const o = m.files.origin(passwd);
    expect(o).not.toBe(passwd);
    expect(o).toMatchObject({ path: "/e/passwd", layer: 1, size: 3 });
    expect(m.files.origin(o)).toBe(o); // a walk-time entry is its own origin
    const bb = m.shadowed.find((s) => s.path === "/bin/bb")!;
    const sh = m.shadowed.find((s) => s.path === "/bin/sh")!;
    expect(m.files.origin(bb)).toMatchObject({ path: "/bin/bb", layer: 0 });
    expect(m.files.origin(sh)).toBe(m.files.origin(bb));
    expect(sh).toMatchObject({ type: "hardlink", size: 9, mode: 0o755 });
  });
});

// moby links filepath.Join("/", linkname) and chmods the new name through a symlink when
// os.Lstat(linkname) is not one (https://github.com/moby/moby/blob/v20.10.24/pkg/archive/archive.go);
// containerd resolves the name through symlinks first (hardlinkRootPath).
describe("mergeLayers: hardlink names that are not plain, where moby and containerd part ways", () => {
  it("containerd finds nothing to link: moby's lexical target is linked, and recorded", () => {
    const m = merge(["f:3", "d -> /nowhere/x"], ["h => d/../f"]);
    expect(m.files.get("/h")).toMatchObject({ type: "hardlink", linkTarget: "/f", size: 3 });
    expect(m.unsafe).toMatchObject([{ name: "/h", reason: "link-escape", detail: expect.stringContaining("moby links /f") }]);
  });

  it("moby links a symlink and its chmod lands on the symlink's target: the header's setuid bit is kept there", () => {
    const m = merge(
      ["etc/", "etc/sub/", "etc/s:1", "e -> /etc/sub", "bin/", h("bin/tool:3", { mode: 0o755 }), "s -> /bin/tool"],
      [h("h => e/../s", { mode: 0o4755 })],
    );
    // containerd: e/../s is /etc/s, linked and made 4755; moby: /s, a symlink, linked, and chmod 4755 reaches /bin/tool.
    expect(m.files.get("/etc/s")).toMatchObject({ type: "file", mode: 0o4755 });
    expect(m.files.get("/h")).toMatchObject({ type: "hardlink", linkTarget: "/etc/s" });
    expect(m.files.get("/bin/tool")).toMatchObject({ type: "file", mode: 0o4755, size: 3 });
    expect(m.unsafe.map((u) => [u.name, u.reason])).toEqual([["/bin/tool", "link-escape"]]);
  });

  it("containerd and moby link two different files: the header's setuid bit is kept on both", () => {
    const m = merge(["etc/", "etc/sub/", "etc/s:1", "e -> /etc/sub", h("s:2", { mode: 0o755 })], [h("h => e/../s", { mode: 0o4755 })]);
    expect(m.files.get("/etc/s")).toMatchObject({ type: "file", mode: 0o4755 });
    expect(m.files.get("/h")).toMatchObject({ type: "hardlink", linkTarget: "/etc/s" });
    expect(m.files.get("/s")).toMatchObject({ type: "file", mode: 0o4755, size: 2 });
    expect(m.unsafe.map((u) => [u.name, u.reason])).toEqual([["/s", "link-escape"]]);
  });
});
