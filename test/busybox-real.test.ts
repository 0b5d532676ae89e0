// The busybox applet scanner on a real binary: Debian's /bin/busybox
// (busybox-static, or busybox), installed when missing. Its applet table
// (applet_names[], https://git.busybox.net/busybox/tree/applets/applet_tables.c)
// sits in .rodata after .text, near the end of the file (88% in on
// bookworm's busybox-static 1.35), so the whole binary is read; the names
// found must be exactly what the binary itself lists.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BusyboxAppletScanner, parseBusyboxApplets } from "../packages/core/src/analyzers/busybox.js";
import { ensureDebianFiles } from "./helpers/debian.js";
import { runCli } from "./helpers/cli.js";
import { dir, file, image, layer, layoutFiles, packTar, writeTree } from "./hostile/build.js";

const BUSYBOX = "/bin/busybox";
let bytes: Buffer;
let listed: string[];
let tmp: string;

beforeAll(async () => {
  ensureDebianFiles({ [BUSYBOX]: "busybox-static" });
  bytes = readFileSync(BUSYBOX);
  listed = execFileSync(BUSYBOX, ["--list"], { encoding: "latin1" }).split("\n").filter((l) => l !== "");
  tmp = await mkdtemp(`${tmpdir()}/layerlint-busybox-`);
}, 300_000);
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** strcmp order, as the table is sorted. */
const sorted = (names: readonly string[]) => [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

describe("a real busybox", () => {
  it("its applet list, read whole, is the one `busybox --list` prints", () => {
    expect(listed.length).toBeGreaterThan(100);
    expect(sorted(parseBusyboxApplets(bytes) ?? [])).toEqual(sorted(listed));
  });

  it("read in 64 KiB chunks, as a layer streams, gives the same list", () => {
    const s = new BusyboxAppletScanner();
    for (let k = 0; k < bytes.length; k += 64 * 1024) s.push(bytes.subarray(k, k + 64 * 1024));
    expect(sorted(s.result() ?? [])).toEqual(sorted(listed));
  });

  it("in an image, its applets are findings and the analysis is complete: --forbid shell exits 1 on them, not on a gap", async () => {
    const tar = await packTar([dir("etc"), dir("bin"), file("bin/busybox", bytes, 0o755)]);
    const root = await writeTree(`${tmp}/real`, layoutFiles(image({ layers: [layer(tar)] })));
    const r = await runCli(["scan", `oci:${root}`, "--format", "json", "--forbid", "shell"]);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as {
      findings: { ruleId: string; path?: string; evidence?: Record<string, unknown> }[];
      analysis: { complete: boolean };
    };
    const applets = (ruleId: string) =>
      report.findings.filter((f) => f.ruleId === ruleId && f.path === "/bin/busybox" && f.evidence?.["assumed"] === undefined).map((f) => f.evidence?.["applet"]);
    expect(applets("shell-present")).toContain("sh");
    expect(applets("download-tool-present")).toContain("wget");
    expect(report.findings.filter((f) => f.ruleId === "tools-undetermined")).toEqual([]);
    expect(report.analysis.complete).toBe(true);
  });
});
