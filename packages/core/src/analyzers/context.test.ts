import { describe, expect, it } from "vitest";
import { buildContext } from "../testing/image-builder.js";

const passwd = "root:x:0:0:root:/root:/bin/sh\n";
const retainAll = () => 1024;

describe("analyzerContext: content and origin go through identity, never the walk-time path", () => {
  it("a file written through a symlinked parent (e -> etc) gives its bytes at the path it lands on", () => {
    const ctx = buildContext(
      { layers: [[{ path: "/etc/" }, { path: "/e", type: "symlink", link: "etc" }], [{ path: "/e/passwd", content: passwd }]] },
      retainAll,
    );
    const final = ctx.files.get("/etc/passwd")!;
    expect(Buffer.from(ctx.content(final)!).toString()).toBe(passwd);
    expect(ctx.origin(final)).toMatchObject({ path: "/e/passwd", layer: 1 });
    expect(ctx.files.get("/e/passwd")).toBeUndefined();
  });

  it("every name of a hardlinked inode, and a shadowed name, read the data entry's bytes", () => {
    const ctx = buildContext(
      {
        layers: [
          [{ path: "/bin/" }, { path: "/bin/busybox", content: "BUSYBOX", mode: 0o755 }, { path: "/bin/sh", type: "hardlink", link: "/bin/busybox", mode: 0o755 }],
          [{ path: "/bin/.wh.busybox" }],
        ],
      },
      retainAll,
    );
    const sh = ctx.files.get("/bin/sh")!;
    expect(Buffer.from(ctx.content(sh)!).toString()).toBe("BUSYBOX");
    expect(Buffer.from(ctx.content(ctx.files.resolve("/bin/sh")!)!).toString()).toBe("BUSYBOX");
    const gone = ctx.shadowed.find((s) => s.path === "/bin/busybox")!;
    expect(ctx.content(gone)).toBe(ctx.content(sh));
    expect(ctx.origin(gone)).toBe(ctx.origin(sh));
  });

  it("two copies of one path in one layer keep their own bytes (content is keyed by entry, not path)", () => {
    const ctx = buildContext({ layers: [[{ path: "/f", content: "first" }, { path: "/f", content: "second" }]] }, retainAll);
    expect(Buffer.from(ctx.content(ctx.files.get("/f")!)!).toString()).toBe("second");
    expect(Buffer.from(ctx.content(ctx.shadowed[0]!)!).toString()).toBe("first");
  });

  it("exposes the unsafe counts next to the bounded list", () => {
    const many = Array.from({ length: 120 }, (_, i) => ({ path: `../x${i}`, content: "x" }));
    const ctx = buildContext({ layers: [many] });
    expect(ctx.unsafe).toHaveLength(100);
    expect(ctx.unsafeCounts).toEqual([{ layer: 0, reason: "path-escape", total: 120, listed: 100 }]);
  });
});
