import { describe, expect, it } from "vitest";
import { runAnalyzer, type ImageSpec } from "../testing/image-builder.js";
import { permissionsAnalyzer, PERMISSION_RULES, unsafeSeverity } from "./permissions.js";
import { MAX_UNSAFE_LISTED } from "../unsafe-log.js";
import { findingCount } from "../finding.js";
import type { UnsafeReason } from "../types.js";

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
    ["hardlink to nothing", { path: "/h", type: "hardlink", link: "/nowhere" }, "invalid-hardlink", "medium"],
    ["a name under .wh..wh.*", { path: ".wh..wh.x/su", content: "x" }, "aufs-name", "medium"],
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

  it("every reason has a severity; escapes are high", () => {
    const reasons: UnsafeReason[] = ["path-escape", "link-escape", "invalid-hardlink", "aufs-name", "invalid-whiteout", "unsupported-type", "sparse"];
    expect(reasons.map((r) => [r, unsafeSeverity(r)])).toEqual([
      ["path-escape", "high"],
      ["link-escape", "high"],
      ["invalid-hardlink", "medium"],
      ["aufs-name", "medium"],
      ["invalid-whiteout", "medium"],
      ["unsupported-type", "medium"],
      ["sparse", "medium"],
    ]);
  });

  it("entries past those listed per (layer, reason) become one finding with the exact count", () => {
    const n = MAX_UNSAFE_LISTED + 150;
    const writes = Array.from({ length: n }, (_, i) => ({ path: `/a/f${i}`, content: "x" }));
    const spec: ImageSpec = {
      layers: [[{ path: "/etc/" }, { path: "/a", type: "symlink", link: "/etc" }], writes, [{ path: "../x", content: "x" }]],
    };
    const fs = run(spec).filter((f) => f.ruleId === "unsafe-tar-entry");
    const listed = fs.filter((f) => f.aggregate === undefined);
    expect(listed.filter((f) => f.layer === 1)).toHaveLength(MAX_UNSAFE_LISTED);
    expect(listed.filter((f) => f.layer === 2)).toHaveLength(1);
    const agg = fs.filter((f) => f.aggregate !== undefined);
    expect(agg).toEqual([
      {
        ruleId: "unsafe-tar-entry",
        category: "permissions",
        severity: "high",
        message: `layer 1 has 150 more unsafe tar entries (link-escape) past the first ${MAX_UNSAFE_LISTED} listed: ${n} in all`,
        layer: 1,
        inFinalImage: false,
        evidence: { reason: "link-escape", total: n, listed: MAX_UNSAFE_LISTED },
        aggregate: { count: 150, inFinalImage: 0, bySeverity: { high: 150 }, samplePaths: [] },
      },
    ]);
    // Every entry is counted once: listed plus aggregated.
    expect(fs.reduce((k, f) => k + findingCount(f), 0)).toBe(n + 1);
  });

  it("a clean image has no findings", () => {
    expect(run({ layers: [[{ path: "/etc/" }, { path: "/etc/hosts", content: "x" }, { path: "/tmp/", mode: 0o1777 }]] })).toEqual([]);
  });

  it("documents every ruleId it emits", () => {
    expect(PERMISSION_RULES.map((r) => r.id)).toEqual(["world-writable-file", "world-writable-dir", "unsafe-tar-entry"]);
  });
});
