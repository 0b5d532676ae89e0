import { describe, expect, it } from "vitest";
import { buildContext, runAnalyzer, type ImageSpec, type SpecEntry } from "../testing/image-builder.js";
import { toolsAnalyzer } from "./tools.js";
import { searchDirs, imagePath, DEFAULT_PATH } from "./command-search.js";
import { matchTool, TOOL_CATALOG, TOOL_RULES } from "./tool-catalog.js";

const exe = (path: string, over: Partial<SpecEntry> = {}): SpecEntry => ({ path, mode: 0o755, content: "\x7fELF", ...over });
const link = (path: string, target: string): SpecEntry => ({ path, type: "symlink", link: target });
/** A hardlink header's mode applies to the shared inode; tar writes the file's (0755 here). */
const hard = (path: string, target: string, mode = 0o755): SpecEntry => ({ path, type: "hardlink", link: target, mode });
/** A merged-/usr base: /bin, /sbin → usr/… */
const mergedUsr: SpecEntry[] = [{ path: "/usr/bin/" }, { path: "/usr/sbin/" }, link("/bin", "usr/bin"), link("/sbin", "usr/sbin")];

const run = (spec: ImageSpec) => runAnalyzer(toolsAnalyzer, spec);
/** "ruleId path tool[ -> target][ via][ also other paths]" */
const brief = (spec: ImageSpec) =>
  run(spec).map((f) => {
    const ev = f.evidence ?? {};
    const paths = (ev["paths"] as string[] | undefined) ?? [];
    const also = paths.length > 1 ? ` also ${paths.slice(1).join(",")}` : "";
    return `${f.ruleId} ${f.path} ${String(ev["tool"])}${ev["target"] ? ` -> ${String(ev["target"])}` : ""}${ev["via"] ? ` via ${String(ev["via"])}` : ""}${also}`;
  });

function busyboxBytes(applets: readonly string[]): Uint8Array {
  return Buffer.concat([
    Buffer.from("\x7fELF\x02\x01\x01\0\0\0\0junk\x01\x02\x03\0", "latin1"),
    Buffer.from("\0BusyBox v1.36.1 multi-call binary.\0\0"),
    Buffer.from([...applets].sort().join("\0") + "\0\0"),
    Buffer.from("\0\0\xff\xfe more junk \0", "latin1"),
  ]);
}
const APPLETS = [
  "[", "[[", "addgroup", "ash", "awk", "basename", "cat", "chmod", "cp", "echo", "ftpget", "grep", "httpd", "ls",
  "mkdir", "mv", "nc", "ping", "ps", "rm", "sed", "sh", "sleep", "tar", "telnet", "tftp", "vi", "wget",
];

describe("matchTool", () => {
  it.each<[string, string | undefined, string?]>([
    ["bash", "bash"],
    ["sh", "sh"],
    ["python3", "python3"],
    ["python3.11", "python", "3.11"],
    ["python2.7", "python", "2.7"],
    ["perl5.36.0", "perl", "5.36.0"],
    ["pip3.11", "pip", "3.11"],
    ["php8.2", "php", "8.2"],
    ["lua5.4", "lua", "5.4"],
    ["ruby3.1", "ruby", "3.1"],
    ["tclsh8.6", "tclsh", "8.6"],
    ["node18", "node", "18"],
    ["ksh93", "ksh", "93"],
    ["apt-get", "apt-get"],
    ["Rscript", "Rscript"],
    ["aria2c", "aria2c"],
    ["sha256sum", undefined],
    ["shasum", undefined],
    ["pipe", undefined],
    ["shred", undefined],
    ["bashbug", undefined],
    ["python3.11-config", undefined],
    ["python3.", undefined],
    ["python3..1", undefined],
    ["perl5.36-x86_64-linux-gnu", undefined],
    ["bash5", undefined],
    ["sh1", undefined],
    ["curl-config", undefined],
    ["httpd", undefined],
    ["", undefined],
    ["3.11", undefined],
  ])("%s → %s", (name, tool, version) => {
    const m = matchTool(name);
    expect(m?.tool.name).toBe(tool);
    expect(m?.version).toBe(version);
  });

  it.each([
    "dpkg-deb", "dpkg-query", "dpkg-split", "dpkg-divert", "dpkg-statoverride", "dpkg-trigger", "dpkg-maintscript-helper",
    "apt-cache", "apt-config", "apt-mark", "apt-key", "apt-cdrom", "apt-extracttemplates", "apt-ftparchive", "apt-sortpkgs",
  ])("%s is an OS package-manager tool (the apt-*/dpkg* families)", (name) => {
    expect(matchTool(name)?.tool).toEqual({ name, category: "package-manager", os: true });
  });

  it("the families need a member name: apt-, dpkgx and aptitude-x are no tools", () => {
    expect(matchTool("apt-")).toBeUndefined();
    expect(matchTool("dpkgx")).toBeUndefined();
    expect(matchTool("aptitude-curses")).toBeUndefined();
    expect(matchTool("apt-x y")).toBeUndefined();
  });

  it("busybox-only names count only via busybox", () => {
    expect(matchTool("httpd")).toBeUndefined();
    expect(matchTool("httpd", true)?.tool.category).toBe("network-tool");
  });

  it("catalog names are unique and every category has a rule", () => {
    const names = TOOL_CATALOG.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    const cats = new Set(TOOL_CATALOG.map((t) => t.category));
    expect(TOOL_RULES.map((r) => r.category).sort()).toEqual([...cats].sort());
  });
});

describe("searchDirs", () => {
  it("uses the last PATH in Env, else the default", () => {
    const ctx = buildContext({ layers: [[]], config: { Env: ["PATH=/a", "X=1", "PATH=/b:/c"] } });
    expect(imagePath(ctx.config)).toBe("/b:/c");
    expect(imagePath(buildContext({ layers: [[]] }).config)).toBe(DEFAULT_PATH);
  });

  it("resolves symlinked dirs, dedupes, drops relative and missing entries", () => {
    const ctx = buildContext({
      layers: [[...mergedUsr, { path: "/opt/bin/" }, link("/opt/link", "bin")]],
      config: { Env: ["PATH=/opt/link:.:bin:/nope:/bin:/usr/bin/"] },
    });
    expect(searchDirs(ctx.files, ctx.config)).toEqual(["/opt/bin", "/usr/bin", "/usr/sbin"]);
  });
});

describe("toolsAnalyzer", () => {
  it.each<[string, ImageSpec, string[]]>([
    ["executable bash", { layers: [[exe("/usr/bin/bash")]] }, ["shell-present /usr/bin/bash bash"]],
    ["non-executable file named bash", { layers: [[exe("/usr/bin/bash", { mode: 0o644 })]] }, []],
    ["group-execute only still counts", { layers: [[exe("/usr/bin/curl", { mode: 0o710 })]] }, ["download-tool-present /usr/bin/curl curl"]],
    ["directory named python3", { layers: [[{ path: "/usr/bin/python3/" }]] }, []],
    [
      "one of each category",
      { layers: [[exe("/usr/bin/apt"), exe("/usr/bin/perl"), exe("/usr/bin/wget"), exe("/usr/bin/socat"), exe("/bin/dash")]] },
      [
        "shell-present /bin/dash dash",
        "package-manager-present /usr/bin/apt apt",
        "interpreter-present /usr/bin/perl perl",
        "network-tool-present /usr/bin/socat socat",
        "download-tool-present /usr/bin/wget wget",
      ],
    ],
    [
      "merged /usr: /bin → usr/bin counts each binary once, under the real dir",
      { layers: [[...mergedUsr, exe("/usr/bin/bash"), exe("/usr/sbin/rsync")]] },
      ["shell-present /usr/bin/bash bash", "download-tool-present /usr/sbin/rsync rsync"],
    ],
    [
      "/usr/bin/sh → dash and dash are one finding, on the real file, listing both paths",
      { layers: [[...mergedUsr, exe("/usr/bin/dash"), link("/usr/bin/sh", "dash")]] },
      ["shell-present /usr/bin/dash dash also /usr/bin/sh"],
    ],
    [
      "absolute symlink through a symlinked dir",
      { layers: [[...mergedUsr, exe("/usr/bin/bash"), link("/usr/local/bin/sh", "/bin/bash")]] },
      ["shell-present /usr/bin/bash bash also /usr/local/bin/sh"],
    ],
    [
      "versioned names count; look-alikes do not",
      {
        layers: [[
          exe("/usr/bin/python3.11"), link("/usr/bin/python3", "python3.11"), exe("/usr/bin/perl5.36.0"),
          exe("/usr/local/bin/pip3.11"), exe("/usr/bin/sha256sum"), exe("/usr/bin/shasum"), exe("/usr/bin/pipe"),
          exe("/usr/bin/python3.11-config"),
        ]],
      },
      [
        "interpreter-present /usr/bin/perl5.36.0 perl",
        "interpreter-present /usr/bin/python3.11 python also /usr/bin/python3",
        "package-manager-present /usr/local/bin/pip3.11 pip",
      ],
    ],
    [
      "hardlink perl5.36.0 => perl: one inode, one finding listing both names",
      { layers: [[exe("/usr/bin/perl"), hard("/usr/bin/perl5.36.0", "/usr/bin/perl")]] },
      ["interpreter-present /usr/bin/perl perl also /usr/bin/perl5.36.0"],
    ],
    [
      "hardlink to a non-executable file",
      { layers: [[exe("/usr/share/doc/bash", { mode: 0o644 }), hard("/usr/bin/bash", "/usr/share/doc/bash", 0o644)]] },
      [],
    ],
    [
      "symlink to a non-executable file, dangling symlink, symlink to a dir",
      { layers: [[exe("/etc/zsh", { mode: 0o644 }), link("/usr/bin/zsh", "/etc/zsh"), link("/usr/bin/bash", "/nope"), link("/usr/bin/ksh", "/etc")]] },
      [],
    ],
    [
      "symlink loop does not hang",
      { layers: [[link("/usr/bin/sh", "sh2"), link("/usr/bin/sh2", "sh"), link("/usr/bin/bash", "bash")]] },
      [],
    ],
    [
      "a directory symlink loop in PATH is skipped",
      { layers: [[link("/opt/a", "b"), link("/opt/b", "a"), exe("/usr/bin/nc")]], config: { Env: ["PATH=/opt/a:/usr/bin"] } },
      ["network-tool-present /usr/bin/nc nc"],
    ],
    [
      "whited-out tools are not present",
      {
        layers: [
          [...mergedUsr, exe("/usr/bin/bash"), exe("/usr/bin/curl"), link("/usr/bin/sh", "bash")],
          [{ path: "/usr/bin/.wh.bash" }, { path: "/bin/.wh.curl" }],
        ],
      },
      [],
    ],
    [
      "a tool deleted by an opaque dir is not present",
      { layers: [[exe("/usr/local/bin/node")], [{ path: "/usr/local/bin/.wh..wh..opq" }, exe("/usr/local/bin/app")]] },
      [],
    ],
    [
      "tools outside the search dirs are not reported",
      { layers: [[exe("/usr/lib/python3/bash"), exe("/opt/tools/curl"), exe("/root/wget")]] },
      [],
    ],
    [
      "the image PATH adds dirs",
      { layers: [[exe("/opt/tools/curl"), exe("/opt/hidden/wget")]], config: { Env: ["PATH=/opt/tools:/usr/bin"] } },
      ["download-tool-present /opt/tools/curl curl"],
    ],
    [
      "standard dirs are searched even when PATH omits them",
      { layers: [[exe("/sbin/apk")]], config: { Env: ["PATH=/app"] } },
      ["package-manager-present /sbin/apk apk"],
    ],
    ["a standalone httpd is not a network tool", { layers: [[exe("/usr/sbin/httpd")]] }, []],
  ])("%s", (_name, spec, want) => {
    expect(brief(spec)).toEqual(want);
  });

  it("finding shape", () => {
    expect(run({ layers: [[{ path: "/etc/x", content: "x" }], [exe("/usr/bin/bash")]] })).toEqual([
      {
        ruleId: "shell-present",
        category: "shell",
        severity: "medium",
        message: "shell /usr/bin/bash is present",
        path: "/usr/bin/bash",
        layer: 1,
        inFinalImage: true,
        evidence: { tool: "bash", paths: ["/usr/bin/bash"] },
      },
    ]);
  });

  it("severities per category", () => {
    const sev = Object.fromEntries(
      run({ layers: [[exe("/bin/sh"), exe("/bin/dpkg"), exe("/bin/ruby"), exe("/bin/scp"), exe("/bin/ssh")]] }).map((f) => [f.category, f.severity]),
    );
    expect(sev).toEqual({ shell: "medium", "package-manager": "medium", interpreter: "low", "download-tool": "medium", "network-tool": "medium" });
  });

  it("versioned names carry the version", () => {
    const [f] = run({ layers: [[exe("/usr/bin/python3.11")]] });
    expect(f?.evidence).toEqual({ tool: "python", version: "3.11", paths: ["/usr/bin/python3.11"] });
    expect(f?.message).toBe("interpreter /usr/bin/python3.11 is present");
  });

  describe("busybox", () => {
    it("reports dangerous compiled-in applets on the binary even without applet links", () => {
      expect(brief({ layers: [[exe("/bin/busybox", { content: busyboxBytes(APPLETS) })]] })).toEqual([
        "shell-present /bin/busybox ash via busybox",
        "download-tool-present /bin/busybox ftpget via busybox",
        "network-tool-present /bin/busybox httpd via busybox",
        "network-tool-present /bin/busybox nc via busybox",
        "shell-present /bin/busybox sh via busybox",
        "network-tool-present /bin/busybox telnet via busybox",
        "download-tool-present /bin/busybox tftp via busybox",
        "download-tool-present /bin/busybox wget via busybox",
      ]);
    });

    it("applet evidence", () => {
      const f = run({ layers: [[exe("/bin/busybox", { content: busyboxBytes(APPLETS) })]] }).find((x) => x.evidence?.["tool"] === "wget");
      expect(f).toEqual({
        ruleId: "download-tool-present",
        category: "download-tool",
        severity: "medium",
        message: "download tool wget is a busybox applet in /bin/busybox",
        path: "/bin/busybox",
        layer: 0,
        inFinalImage: true,
        evidence: { tool: "wget", applet: "wget", via: "busybox", paths: ["/bin/busybox"] },
      });
    });

    it("an applet link in a search dir and the applet itself are one finding, on the binary, listing every path", () => {
      const got = brief({
        layers: [[
          ...mergedUsr,
          exe("/usr/bin/busybox", { content: busyboxBytes(["[", "[[", "sh", "wget", "nc", "ls"]) }),
          link("/usr/local/bin/nc", "/usr/bin/busybox"),
          link("/bin/sh", "busybox"), // written through /bin → /usr/bin
          link("/usr/sbin/httpd", "../bin/busybox"), // busybox-only name, reachable via busybox
          link("/usr/bin/ls", "busybox"),
        ]],
      });
      expect(got).toEqual([
        "network-tool-present /usr/bin/busybox nc via busybox also /usr/local/bin/nc",
        "shell-present /usr/bin/busybox sh via busybox also /usr/bin/sh",
        "download-tool-present /usr/bin/busybox wget via busybox",
        // httpd is not in this busybox's applet table: the link alone stands for it.
        "network-tool-present /usr/sbin/httpd httpd -> /usr/bin/busybox via busybox",
      ]);
      const nc = run({
        layers: [[exe("/bin/busybox", { content: busyboxBytes(APPLETS) }), link("/usr/bin/nc", "/bin/busybox")]],
      }).filter((f) => f.evidence?.["tool"] === "nc");
      expect(nc).toEqual([
        expect.objectContaining({
          path: "/bin/busybox",
          message: "network tool nc is a busybox applet in /bin/busybox; also reached as /usr/bin/nc",
          evidence: { tool: "nc", applet: "nc", via: "busybox", paths: ["/bin/busybox", "/usr/bin/nc"] },
        }),
      ]);
    });

    it("an applet hardlink (/bin/sh => /bin/busybox) reads the binary's applets", () => {
      expect(
        brief({ layers: [[exe("/bin/busybox", { content: busyboxBytes(["[", "[[", "sh", "ls"]) }), hard("/bin/sh", "/bin/busybox")]] }),
      ).toEqual(["shell-present /bin/busybox sh via busybox also /bin/sh"]);
    });

    it("a busybox outside the search dirs is still found", () => {
      expect(brief({ layers: [[exe("/opt/rescue/busybox", { content: busyboxBytes(["[", "[[", "sh", "ls"]) })]] })).toEqual([
        "shell-present /opt/rescue/busybox sh via busybox",
      ]);
    });

    it("a busybox whose content was not read is assumed to be a shell, and its applets are a gap", () => {
      const fs = run({ layers: [[{ path: "/bin/busybox", mode: 0o755, size: 900_000 }]] });
      expect(fs).toEqual([
        expect.objectContaining({
          ruleId: "shell-present",
          path: "/bin/busybox",
          evidence: { tool: "sh", applet: "sh", via: "busybox", assumed: true, reason: "content not captured", paths: ["/bin/busybox"] },
        }),
        expect.objectContaining({
          ruleId: "tools-undetermined",
          category: "analysis",
          severity: "high",
          path: "/bin/busybox",
          evidence: { reason: "content not captured", affects: ["forbid-shell", "forbid-package-manager", "forbid-download-tool", "forbid-network-tool"] },
        }),
      ]);
    });

    it("a busybox over the read cap says so", () => {
      const fs = run({ layers: [[{ path: "/bin/busybox", mode: 0o755, size: 5 * 1024 * 1024 }]] });
      expect(fs.map((f) => [f.ruleId, f.evidence?.["reason"]])).toEqual([
        ["shell-present", "over the 4 MiB read cap"],
        ["tools-undetermined", "over the 4 MiB read cap"],
      ]);
    });

    it("a busybox without a readable applet table is assumed to be a shell", () => {
      const fs = run({ layers: [[exe("/bin/busybox", { content: "\x7fELF no table here" })]] });
      expect(fs.map((f) => [f.ruleId, f.evidence?.["reason"]])).toEqual([
        ["shell-present", "applet list not found"],
        ["tools-undetermined", "applet list not found"],
      ]);
    });

    it("a busybox hardlinked from another name: found through ctx.origin, one finding per applet with both names", () => {
      const fs = run({
        layers: [[exe("/bin/busybox", { content: busyboxBytes(APPLETS) }), hard("/usr/bin/busybox", "/bin/busybox")]],
      });
      expect(fs.filter((f) => f.ruleId === "tools-undetermined")).toEqual([]);
      const wget = fs.filter((f) => f.evidence?.["applet"] === "wget");
      expect(wget.map((f) => [f.path, f.evidence?.["paths"]])).toEqual([["/bin/busybox", ["/bin/busybox", "/usr/bin/busybox"]]]);
    });

    it("a busybox whose bytes were carried under another name is unknown: a gap, not a guess", () => {
      const fs = run({
        layers: [[exe("/opt/blob", { content: busyboxBytes(APPLETS) }), hard("/bin/busybox", "/opt/blob")]],
      });
      expect(fs.filter((f) => f.ruleId === "tools-undetermined").map((f) => f.path)).toEqual(["/bin/busybox"]);
    });

    it("keeps only the applet list per walk entry, never the bytes", () => {
      const state = toolsAnalyzer.createState!();
      const e = { path: "/bin/busybox", type: "file", mode: 0o755, uid: 0, gid: 0, size: 0, layer: 0 } as const;
      const bytes = busyboxBytes(APPLETS);
      toolsAnalyzer.onContent!({ ...e, size: bytes.length }, bytes, state);
      const [rec] = [...state.applets.values()];
      expect(rec).toEqual({ applets: expect.arrayContaining(["sh", "wget"]), complete: true });
      expect(Object.values(rec!).some((v) => v instanceof Uint8Array)).toBe(false);
    });

    it("a non-executable or deleted busybox is not reported", () => {
      expect(run({ layers: [[exe("/bin/busybox", { mode: 0o644, content: busyboxBytes(APPLETS) })]] })).toEqual([]);
      expect(
        run({
          layers: [
            [exe("/bin/busybox", { content: busyboxBytes(APPLETS) }), link("/bin/sh", "busybox")],
            [{ path: "/bin/.wh.busybox" }],
          ],
        }),
      ).toEqual([]);
    });

    it("wantsContent asks only for busybox", () => {
      expect(toolsAnalyzer.wantsContent?.({ path: "/bin/busybox", type: "file", mode: 0o755, uid: 0, gid: 0, size: 1000, layer: 0 })).toBe(1000);
      expect(toolsAnalyzer.wantsContent?.({ path: "/bin/bash", type: "file", mode: 0o755, uid: 0, gid: 0, size: 1000, layer: 0 })).toBe(0);
    });
  });
});
