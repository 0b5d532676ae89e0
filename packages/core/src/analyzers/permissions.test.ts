import { describe, expect, it } from "vitest";
import { runAnalyzer, type ImageSpec } from "../testing/image-builder.js";
import { permissionsAnalyzer, PERMISSION_RULES } from "./permissions.js";

const run = (spec: ImageSpec) => runAnalyzer(permissionsAnalyzer, spec);
const brief = (spec: ImageSpec) => run(spec).map((f) => `${f.ruleId} ${f.path} ${f.severity}`);

describe("permissionsAnalyzer", () => {
  it.each<[string, ImageSpec, string[]]>([
    ["world-writable file", { layers: [[{ path: "/app/config.yml", mode: 0o666, content: "x" }]] }, ["world-writable-file /app/config.yml medium"]],
    ["world-writable executable", { layers: [[{ path: "/app/run.sh", mode: 0o777, content: "x" }]] }, ["world-writable-file /app/run.sh medium"]],
    ["group-writable file is fine", { layers: [[{ path: "/app/data", mode: 0o664, content: "x" }]] }, []],
    ["world-readable file is fine", { layers: [[{ path: "/etc/passwd", mode: 0o644, content: "x" }]] }, []],
    ["world-writable dir without sticky", { layers: [[{ path: "/data/", mode: 0o777 }]] }, ["world-writable-dir /data medium"]],
    ["/tmp 1777 is fine", { layers: [[{ path: "/tmp/", mode: 0o1777 }]] }, []],
    ["symlinks are skipped", { layers: [[{ path: "/etc/x", type: "symlink", link: "/etc/y", mode: 0o777 }]] }, []],
    ["a fifo is skipped", { layers: [[{ path: "/run/pipe", type: "fifo", mode: 0o666 }]] }, []],
    [
      "hardlink to a world-writable file is reported too",
      { layers: [[{ path: "/app/a", mode: 0o666, content: "x" }, { path: "/app/b", type: "hardlink", link: "/app/a", mode: 0o666 }]] },
      ["world-writable-file /app/a medium", "world-writable-file /app/b medium"],
    ],
    [
      "fixed by a later chmod (overwrite)",
      { layers: [[{ path: "/app/a", mode: 0o666, content: "x" }], [{ path: "/app/a", mode: 0o644, content: "x" }]] },
      [],
    ],
    ["deleted by a later whiteout", { layers: [[{ path: "/app/a", mode: 0o666, content: "x" }], [{ path: "/app/.wh.a" }]] }, []],
  ])("%s", (_name, spec, want) => {
    expect(brief(spec)).toEqual(want);
  });

  it("evidence gives mode, octal and owner", () => {
    const [f] = run({ layers: [[{ path: "/srv/", mode: 0o757, uid: 33, gid: 33 }]] });
    expect(f).toEqual({
      ruleId: "world-writable-dir",
      category: "permissions",
      severity: "medium",
      message: "directory /srv is world-writable without the sticky bit (drwxr-xrwx)",
      path: "/srv",
      layer: 0,
      inFinalImage: true,
      evidence: { mode: "drwxr-xrwx", octal: "0757", owner: "33:33" },
    });
  });

  it.each<[string, ImageSpec["layers"][number][number], string, string]>([
    ["../ in a name", { path: "../etc/passwd", content: "x" }, "path-escape", "high"],
    ["hardlink target with ..", { path: "/a", type: "hardlink", link: "../../ok" }, "link-escape", "high"],
    ["bare .wh. whiteout", { path: "/etc/.wh." }, "invalid-whiteout", "medium"],
    ["unknown typeflag", { path: "/x", type: "unknown" }, "unsupported-type", "medium"],
    ["GNU sparse file", { path: "/big", type: "gnu-sparse", content: "x" }, "sparse", "medium"],
  ])("unsafe tar entry: %s", (_name, entry, reason, severity) => {
    const fs = run({ layers: [[{ path: "/ok", content: "x" }], [entry]] }).filter((f) => f.ruleId === "unsafe-tar-entry");
    expect(fs).toEqual([
      {
        ruleId: "unsafe-tar-entry",
        category: "permissions",
        severity,
        message: expect.stringContaining(`(${reason}`),
        path: entry.path,
        layer: 1,
        inFinalImage: false,
        evidence: expect.objectContaining({ reason }),
      },
    ]);
  });

  it("a write through a symlinked parent is reported as link-escape", () => {
    const fs = run({
      layers: [[{ path: "/etc/" }, { path: "/a", type: "symlink", link: "/etc" }], [{ path: "/a/passwd", content: "x" }]],
    });
    expect(fs).toEqual([
      expect.objectContaining({ ruleId: "unsafe-tar-entry", path: "/a/passwd", severity: "high", layer: 1, evidence: expect.objectContaining({ reason: "link-escape" }) }),
    ]);
  });

  it("a clean image has no findings", () => {
    expect(run({ layers: [[{ path: "/etc/" }, { path: "/etc/hosts", content: "x" }, { path: "/tmp/", mode: 0o1777 }]] })).toEqual([]);
  });

  it("documents every ruleId it emits", () => {
    expect(PERMISSION_RULES.map((r) => r.id)).toEqual(["world-writable-file", "world-writable-dir", "unsafe-tar-entry"]);
  });
});
