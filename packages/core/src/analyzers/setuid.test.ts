import { describe, expect, it } from "vitest";
import { runAnalyzer, type ImageSpec } from "../testing/image-builder.js";
import { setuidAnalyzer, SETUID_RULES } from "./setuid.js";

const run = (spec: ImageSpec) => runAnalyzer(setuidAnalyzer, spec);
const brief = (spec: ImageSpec) => run(spec).map((f) => `${f.ruleId} ${f.path} ${f.severity}`);

describe("setuidAnalyzer", () => {
  it.each<[string, ImageSpec, string[]]>([
    ["setuid root → high", { layers: [[{ path: "/usr/bin/su", mode: 0o4755, content: "x" }]] }, ["setuid-binary /usr/bin/su high"]],
    [
      "setuid non-root owner → medium",
      { layers: [[{ path: "/opt/app/helper", mode: 0o4750, uid: 1000, gid: 1000, content: "x" }]] },
      ["setuid-binary /opt/app/helper medium"],
    ],
    [
      "setgid gid 0 → medium, other gid → low",
      {
        layers: [[
          { path: "/usr/bin/wall", mode: 0o2755, gid: 0, content: "x" },
          { path: "/usr/bin/chage", mode: 0o2755, gid: 42, content: "x" },
        ]],
      },
      ["setgid-binary /usr/bin/chage low", "setgid-binary /usr/bin/wall medium"],
    ],
    [
      "both bits → two findings",
      { layers: [[{ path: "/usr/bin/both", mode: 0o6755, content: "x" }]] },
      ["setuid-binary /usr/bin/both high", "setgid-binary /usr/bin/both medium"],
    ],
    ["setgid directory is not a finding", { layers: [[{ path: "/var/mail/", mode: 0o2775, gid: 8 }]] }, []],
    ["plain executable is not a finding", { layers: [[{ path: "/usr/bin/ls", mode: 0o755, content: "x" }]] }, []],
    [
      "symlink to a setuid file is not itself a finding",
      {
        layers: [[
          { path: "/usr/bin/su", mode: 0o4755, content: "x" },
          { path: "/usr/bin/su2", type: "symlink", link: "su" },
        ]],
      },
      ["setuid-binary /usr/bin/su high"],
    ],
    [
      "setuid file deleted by a later whiteout is not reported",
      {
        layers: [
          [{ path: "/usr/bin/su", mode: 0o4755, content: "x" }],
          [{ path: "/usr/bin/.wh.su" }],
        ],
      },
      [],
    ],
    [
      "bit removed by a later overwrite (chmod u-s) is not reported",
      {
        layers: [
          [{ path: "/usr/bin/su", mode: 0o4755, content: "x" }],
          [{ path: "/usr/bin/su", mode: 0o755, content: "x" }],
        ],
      },
      [],
    ],
    ["setuid char device is not a finding", { layers: [[{ path: "/dev/weird", type: "char", mode: 0o4666 }]] }, []],
  ])("%s", (_name, spec, want) => {
    expect(brief(spec)).toEqual(want);
  });

  it("gives symbolic mode, octal, owner and layer", () => {
    const [f] = run({
      layers: [[{ path: "/etc/x", content: "x" }], [{ path: "/usr/bin/su", mode: 0o4755, uid: 0, gid: 0, content: "x" }]],
    });
    expect(f).toEqual({
      ruleId: "setuid-binary",
      category: "setuid",
      severity: "high",
      message: "setuid file /usr/bin/su owned by 0:0 (-rwsr-xr-x)",
      path: "/usr/bin/su",
      layer: 1,
      inFinalImage: true,
      evidence: { mode: "-rwsr-xr-x", octal: "4755", owner: "0:0", layer: 1, notStock: "no installed package lists it" },
    });
  });

  it("setgid without group execute shows S", () => {
    const [f] = run({ layers: [[{ path: "/usr/bin/odd", mode: 0o2744, gid: 5, content: "x" }]] });
    expect(f?.evidence).toMatchObject({ mode: "-rwxr-Sr--", octal: "2744", owner: "0:5" });
  });

  it("reports a hardlink to a setuid file, with its target and its own layer", () => {
    const fs = run({
      layers: [
        [{ path: "/usr/bin/passwd", mode: 0o4755, content: "x" }],
        // A hardlink header's own mode applies to the shared inode: tar writes the file's.
        [{ path: "/usr/local/bin/pw", type: "hardlink", link: "/usr/bin/passwd", mode: 0o4755 }],
      ],
    });
    expect(fs.map((f) => [f.path, f.layer, f.evidence?.["target"]])).toEqual([
      ["/usr/bin/passwd", 0, undefined],
      ["/usr/local/bin/pw", 1, "/usr/bin/passwd"],
    ]);
    expect(fs[1]?.evidence).toMatchObject({ mode: "-rwsr-xr-x", octal: "4755" });
  });

  it("a hardlink keeps the bound file's setuid bit after the original is deleted", () => {
    const fs = run({
      layers: [
        [
          { path: "/usr/bin/passwd", mode: 0o4755, content: "x" },
          { path: "/usr/bin/pw", type: "hardlink", link: "/usr/bin/passwd", mode: 0o4755 },
        ],
        [{ path: "/usr/bin/.wh.passwd" }],
      ],
    });
    expect(fs.map((f) => f.path)).toEqual(["/usr/bin/pw"]);
  });

  it("documents every ruleId it emits", () => {
    expect(SETUID_RULES.map((r) => [r.id, r.category])).toEqual([
      ["setuid-binary", "setuid"],
      ["setgid-binary", "setgid"],
      ["setuid-stock", "setuid"],
    ]);
  });
});
