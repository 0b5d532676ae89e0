// One tool, one finding, through the built CLI: a busybox applet reached
// through a symlink (/usr/bin/wget -> /bin/busybox) and the applet itself
// are one finding listing both paths; the gate still judges every path:
// allowing /usr/bin/wget does not allow `busybox wget`.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportSchema, type Report } from "../packages/core/dist/index.js";
import { symlink } from "../fixtures/lib/tar-pack.js";
import { runCli } from "./helpers/cli.js";
import { fakeBusybox } from "./helpers/fake-busybox.js";
import { dir, file, image, layer, layoutFiles, packTar, writeTree } from "./hostile/build.js";

let tmp: string;
let input: string;

beforeAll(async () => {
  tmp = await mkdtemp(`${tmpdir()}/layerlint-onetool-`);
  const tar = await packTar([
    dir("bin"),
    file("bin/busybox", fakeBusybox(["sh", "wget", "ls"]), 0o755),
    symlink("bin/sh", "busybox"),
    dir("usr"),
    dir("usr/bin"),
    symlink("usr/bin/wget", "/bin/busybox"),
  ]);
  input = `oci:${await writeTree(`${tmp}/img`, layoutFiles(image({ layers: [layer(tar)] })))}`;
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

async function scanJson(args: string[] = []): Promise<{ code: number; report: Report }> {
  const r = await runCli(["scan", input, "--format", "json", ...args]);
  expect(r.stderr).toBe("");
  return { code: r.code, report: reportSchema.parse(JSON.parse(r.stdout)) };
}

describe("one tool, one finding", () => {
  it("the applet and the link that runs it are one finding with both paths", async () => {
    const { report } = await scanJson();
    const tools = report.findings.filter((f) => f.category === "download-tool" || f.category === "shell");
    expect(tools.map((f) => [f.ruleId, f.path, f.evidence?.["paths"]])).toEqual([
      ["download-tool-present", "/bin/busybox", ["/bin/busybox", "/usr/bin/wget"]],
      ["shell-present", "/bin/busybox", ["/bin/busybox", "/bin/sh"]],
    ]);
    const text = await runCli(["scan", input]);
    // Finding lines only (severity first), not the fix-first list at the end.
    const wgetLines = text.stdout.split("\n").filter((l) => /^ {2}[A-Z]+ /.test(l) && l.includes("wget"));
    expect(wgetLines).toHaveLength(1);
    expect(wgetLines[0]).toContain("download tool wget is a busybox applet in /bin/busybox; also reached as /usr/bin/wget");
  });

  it("--forbid names every path; allowing one path leaves the other; a name or both paths allow it", async () => {
    const check = (r: Report) => (r as Report & { gate: { checks: { id: string; passed: boolean; message: string }[] } }).gate.checks.find((c) => c.id === "forbid-download-tool")!;
    const forbid = await scanJson(["--forbid", "download-tool"]);
    expect(forbid.code).toBe(1);
    expect(check(forbid.report).message).toBe("2 download tools: /bin/busybox, /usr/bin/wget");

    const link = await scanJson(["--forbid", "download-tool", "--allow", "/usr/bin/wget"]);
    expect(link.code).toBe(1);
    expect(check(link.report).message).toBe("1 download tool: /bin/busybox (1 allowed)");

    const applet = await scanJson(["--forbid", "download-tool", "--allow", "/bin/busybox"]);
    expect(applet.code).toBe(1);
    expect(check(applet.report).message).toBe("1 download tool: /usr/bin/wget (1 allowed)");

    expect((await scanJson(["--forbid", "download-tool", "--allow", "/usr/bin/wget,/bin/busybox"])).code).toBe(0);
    expect((await scanJson(["--forbid", "download-tool", "--allow", "wget"])).code).toBe(0);
  });
});
