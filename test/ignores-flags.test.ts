// Ignores from the command line (--ignore RULE[:PATH-GLOB]), from an ignore
// file (.layerlintignore picked up from the working directory, or
// --ignorefile), counted apart and hidden with --hide-ignored, through the
// built CLI on the demo fixture.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixturesOut, runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/gate.js";

const demo = `${fixturesOut}/demo.oci`;

interface JsonFinding {
  ruleId: string;
  path?: string;
  severity: string;
  suppressed?: { kind: string; reason: string };
}
interface JsonReport {
  summary: { total: number };
  findings: JsonFinding[];
  gate?: { passed: boolean; checks: unknown[]; ignores?: { ruleId?: string; path?: string; reason: string; status: string; matched: number }[] };
}

let tmp: Awaited<ReturnType<typeof tempDir>>;
let plain: JsonReport;
beforeAll(async () => {
  tmp = await tempDir("layerlint-ignores-");
  plain = JSON.parse((await runCli(["scan", "-f", "json", demo], { cwd: tmp.dir })).stdout) as JsonReport;
});
afterAll(() => tmp.cleanup());

const ofRule = (r: JsonReport, id: string) => r.findings.filter((f) => f.ruleId === id);

describe("--ignore", () => {
  it("marks every finding of the rule with the flag as its reason, with no policy and exit 0", async () => {
    const r = await runCli(["scan", "-f", "json", "--ignore", "shell-present", demo], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const report = JSON.parse(r.stdout) as JsonReport;
    const shells = ofRule(report, "shell-present");
    expect(shells.length).toBe(ofRule(plain, "shell-present").length);
    expect(shells.length).toBeGreaterThan(1);
    for (const f of shells) expect(f.suppressed).toEqual({ kind: "ignore", reason: "--ignore" });
    expect(report.findings.filter((f) => f.suppressed !== undefined)).toHaveLength(shells.length);
    expect(report.gate).toEqual({
      passed: true,
      checks: [],
      ignores: [{ ruleId: "shell-present", reason: "--ignore", status: "active", matched: shells.length }],
    });
  });

  it("RULE:PATH-GLOB ignores only the matching paths", async () => {
    const r = await runCli(["scan", "-f", "json", "--ignore", "package-manager-present:/usr/bin/apt*", "--ignore", "world-writable-file:/app/*", demo], { cwd: tmp.dir });
    const report = JSON.parse(r.stdout) as JsonReport;
    const ignored = report.findings.filter((f) => f.suppressed !== undefined).map((f) => `${f.ruleId} ${f.path}`);
    expect(ignored.sort()).toEqual(["package-manager-present /usr/bin/apt", "package-manager-present /usr/bin/apt-get", "world-writable-file /app/log.txt"]);
    expect(ofRule(report, "package-manager-present").map((f) => f.path)).toContain("/usr/bin/dpkg");
  });

  it("combines with the gate: ignoring both critical findings passes --fail-on critical", async () => {
    const failing = await runCli(["scan", "--fail-on", "critical", demo], { cwd: tmp.dir });
    expect(failing.code).toBe(1);
    const r = await runCli(["scan", "--fail-on", "critical", "--ignore", "shadow-empty-password", "--ignore", "secret-private-key", demo], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("gate: PASSED");
    // Three findings: the empty password, and two private keys (one deleted later but still shipped).
    const n = ofRule(plain, "shadow-empty-password").length + ofRule(plain, "secret-private-key").length;
    expect(n).toBe(3);
    expect(r.stdout).toContain(`\n${plain.summary.total} findings, ${n} ignored (critical 2, `);
  });

  it("a malformed entry is an error before the scan; an unknown rule is a warning", async () => {
    const bad = await runCli(["scan", "--ignore", "Setuid Binary", demo], { cwd: tmp.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('error: ignores: --ignore: expected RULE[:PATH-GLOB] with a rule ID such as setuid-binary, got "Setuid Binary"\n');
    const rel = await runCli(["scan", "--ignore", "setuid-binary:usr/bin/su", demo], { cwd: tmp.dir });
    expect(rel.code).toBe(2);
    expect(rel.stderr).toBe('error: ignores: --ignore: path: expected an absolute path or glob, starting with "/" or "**"\n');
    const unknown = await runCli(["scan", "-f", "json", "--ignore", "no-such-rule", demo], { cwd: tmp.dir });
    expect(unknown.code).toBe(0);
    expect(unknown.stderr).toBe('warning: --ignore: unknown rule "no-such-rule"; it matches no finding\n');
  });

  it("ignoring an analysis gap warns that its checks then pass undecided", async () => {
    const r = await runCli(["scan", "-f", "json", "--ignore", "tools-undetermined", demo], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: --ignore: tools-undetermined is a gap in what the scan could see; ignoring it lets the gate checks it affects \(forbid-shell, [^)]*\) pass undecided\. A reviewed policy ignore, with a reason, is the way to accept it\n$/);
  });
});

describe(".layerlintignore and --ignorefile", () => {
  const text = [
    "# accepted: the distribution's package tools",
    "package-manager-present:/usr/bin/*",
    "",
    "no-healthcheck   # the orchestrator probes it",
    "root-user exp:2020-01-31",
    "secret-typo-rule",
  ].join("\n");

  it("is picked up from the working directory and said so on stderr; reasons name the line; expired entries count again", async () => {
    const dir = join(tmp.dir, "picked");
    await mkdir(dir);
    await writeFile(join(dir, ".layerlintignore"), text);
    const r = await runCli(["scan", "-f", "json", demo], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr.split("\n")).toEqual([
      "ignores: .layerlintignore (4 rules)",
      'warning: .layerlintignore line 6: unknown rule "secret-typo-rule"; it matches no finding',
      "warning: ignore expired on 2020-01-31: root-user (.layerlintignore line 5); its findings count again",
      "",
    ]);
    const report = JSON.parse(r.stdout) as JsonReport;
    const tools = ofRule(report, "package-manager-present");
    expect(tools.filter((f) => f.path!.startsWith("/usr/bin/")).map((f) => f.suppressed)).toEqual([
      { kind: "ignore", reason: ".layerlintignore line 2" },
      { kind: "ignore", reason: ".layerlintignore line 2" },
      { kind: "ignore", reason: ".layerlintignore line 2" },
    ]);
    expect(tools.find((f) => f.path === "/usr/local/bin/pip3")!.suppressed).toBeUndefined();
    expect(ofRule(report, "no-healthcheck")[0]!.suppressed).toEqual({ kind: "ignore", reason: ".layerlintignore line 4" });
    expect(ofRule(report, "root-user")[0]!.suppressed).toBeUndefined();
    expect(report.gate!.ignores!.map((i) => [i.ruleId, i.status])).toEqual([
      ["package-manager-present", "active"],
      ["no-healthcheck", "active"],
      ["root-user", "expired"],
      ["secret-typo-rule", "active"],
    ]);
  });

  it("is not read under --policy or --no-policy: a file dropped into the working tree cannot loosen a named gate", async () => {
    const dir = join(tmp.dir, "named-policy");
    await mkdir(dir);
    await writeFile(join(dir, ".layerlintignore"), "setuid-binary\nroot-user\n");
    await writeFile(join(dir, "ci.yaml"), "findings:\n  failOn: high\n");
    const named = await runCli(["scan", "-f", "json", "--policy", "ci.yaml", demo], { cwd: dir });
    expect(named.code).toBe(1);
    expect(named.stderr).toBe("ignores: .layerlintignore not read: --policy is given; --ignorefile .layerlintignore reads it\n");
    const report = JSON.parse(named.stdout) as JsonReport;
    expect(ofRule(report, "setuid-binary")[0]!.suppressed).toBeUndefined();
    expect(ofRule(report, "root-user")[0]!.suppressed).toBeUndefined();
    const none = await runCli(["scan", "-f", "json", "--no-policy", "--fail-on", "high", demo], { cwd: dir });
    expect(none.code).toBe(1);
    expect(none.stderr).toBe("ignores: .layerlintignore not read: --no-policy is given; --ignorefile .layerlintignore reads it\n");
    // Named, it applies under the policy.
    const opted = await runCli(["scan", "-f", "json", "--policy", "ci.yaml", "--ignorefile", ".layerlintignore", demo], { cwd: dir });
    expect(ofRule(JSON.parse(opted.stdout) as JsonReport, "root-user")[0]!.suppressed).toEqual({ kind: "ignore", reason: ".layerlintignore line 2" });
  });

  it("--ignorefile reads another file, without the pick-up line; a missing one is an error", async () => {
    const file = join(tmp.dir, "ci.ignore");
    await writeFile(file, "shell-present\n");
    const r = await runCli(["scan", "-f", "json", "--ignorefile", file, demo], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(ofRule(report, "shell-present")[0]!.suppressed).toEqual({ kind: "ignore", reason: `${file} line 1` });
    const missing = await runCli(["scan", "--ignorefile", join(tmp.dir, "nope.ignore"), demo], { cwd: tmp.dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`error: ignores: cannot read ${join(tmp.dir, "nope.ignore")} (ENOENT)\n`);
  });
});

describe("ignored findings counted apart, and --hide-ignored", () => {
  it("text: counted in the summary line and tagged; hidden with --hide-ignored", async () => {
    const shells = ofRule(plain, "shell-present").length;
    const shown = await runCli(["scan", "--ignore", "shell-present", demo], { cwd: tmp.dir });
    expect(shown.stdout).toContain(`\n${plain.summary.total} findings, ${shells} ignored (critical `);
    const bash = shown.stdout.split("\n").find((l) => l.includes("shell /usr/bin/bash is present"));
    expect(bash).toMatch(/\[ignored: --ignore\]$/);
    expect(shown.stdout).not.toContain("\ngate:");
    const hidden = await runCli(["scan", "--ignore", "shell-present", "--hide-ignored", demo], { cwd: tmp.dir });
    expect(hidden.stdout).not.toContain("shell /usr/bin/bash");
    expect(hidden.stdout).not.toContain("\nshells (");
    expect(hidden.stdout).toContain(`\n${plain.summary.total} findings, ${shells} ignored and hidden (critical `);
  });

  it("JSON keeps them marked; markdown, SARIF and JUnit leave them out", async () => {
    const shells = ofRule(plain, "shell-present").length;
    const md = join(tmp.dir, "hidden.md");
    const sarif = join(tmp.dir, "hidden.sarif");
    const junit = join(tmp.dir, "hidden.xml");
    const r = await runCli(
      ["scan", "-f", "json", "--ignore", "shell-present", "--hide-ignored", "--report", `markdown=${md}`, "--report", `sarif=${sarif}`, "--report", `junit=${junit}`, demo],
      { cwd: tmp.dir },
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(ofRule(report, "shell-present")).toHaveLength(shells);
    const mdText = await readFile(md, "utf8");
    // Ignores alone make a gate with no checks: nothing passed or failed.
    expect(mdText).toMatch(/^## layerlint: scanned \(ignores only\)\n/);
    expect(mdText).not.toContain("### Gate");
    expect(mdText).toContain(`### Findings (${plain.findings.length - shells}, ${shells} ignored and hidden)`);
    expect(mdText).not.toContain("shell-present");
    const log = JSON.parse(await readFile(sarif, "utf8")) as { runs: { results: { ruleId: string }[] }[] };
    expect(log.runs[0]!.results.length).toBeGreaterThan(0);
    expect(log.runs[0]!.results.filter((x) => x.ruleId === "shell-present")).toEqual([]);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", isArray: (n) => n === "testcase" || n === "testsuite" }).parse(await readFile(junit, "utf8")) as any;
    const shellCase = xml.testsuites.testsuite[0].testcase.find((t: any) => t["@name"] === "shell");
    expect(shellCase.failure).toBeUndefined();
    expect(shellCase["system-out"]).toBeUndefined();
  });
});
