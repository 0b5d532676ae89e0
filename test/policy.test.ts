// Every policy rule passes and fails on generated
// images, asserting exit codes 0/1/2 from the built CLI.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixturesOut, runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/gate.js";

const demo = `${fixturesOut}/demo.oci`;
const distroless = `${fixturesOut}/distroless.oci`;

interface JsonCheck {
  id: string;
  passed: boolean;
  actual: unknown;
  limit: unknown;
  message: string;
}
interface JsonReport {
  image: { sizes: { compressed: number; uncompressed: number; wasted: number }; layers: { compressedSize: number }[] };
  findings: { ruleId: string; category: string; severity: string; path?: string; inFinalImage: boolean; suppressed?: unknown }[];
  gate?: { passed: boolean; checks: JsonCheck[]; ignores?: { status: string }[] };
}

let tmp: Awaited<ReturnType<typeof tempDir>>;
let demoReport: JsonReport;
let shellPaths: string[];

beforeAll(async () => {
  tmp = await tempDir();
  const r = await runCli(["scan", demo, "--format", "json"]);
  expect(r.code).toBe(0);
  demoReport = JSON.parse(r.stdout) as JsonReport;
  // One finding per shell binary or applet; evidence.paths lists every path that reaches it.
  shellPaths = [...new Set(demoReport.findings.filter((f) => f.category === "shell" && f.inFinalImage).flatMap(allPaths))];
});
afterAll(() => tmp.cleanup());

/** Every path a finding stands for: a tool finding's evidence.paths, else its path. */
function allPaths(f: { path?: string | undefined; evidence?: Record<string, unknown> | undefined }): string[] {
  const paths = f.evidence?.["paths"];
  return Array.isArray(paths) ? (paths as string[]) : [f.path!];
}

async function policyFile(name: string, text: string): Promise<string> {
  const p = join(tmp.dir, name);
  await writeFile(p, text);
  return p;
}

async function gate(input: string, args: string[]): Promise<{ code: number; report: JsonReport; stderr: string }> {
  const r = await runCli(["scan", input, "--format", "json", ...args]);
  expect(r.stderr.replace(/^warning: .*\n/gm, ""), r.stderr).toBe("");
  return { code: r.code, report: JSON.parse(r.stdout) as JsonReport, stderr: r.stderr };
}

function checkOf(report: JsonReport, id: string): JsonCheck {
  const c = report.gate?.checks.find((x) => x.id === id);
  expect(c, `check ${id} in ${JSON.stringify(report.gate?.checks.map((x) => x.id))}`).toBeDefined();
  return c!;
}

/** Runs one flag with a passing and a failing value and checks exit codes and the check. */
async function passAndFail(input: string, id: string, passArgs: string[], failArgs: string[]): Promise<void> {
  const ok = await gate(input, passArgs);
  expect(ok.code, JSON.stringify(ok.report.gate)).toBe(0);
  expect(checkOf(ok.report, id).passed).toBe(true);
  const bad = await gate(input, failArgs);
  expect(bad.code, JSON.stringify(bad.report.gate)).toBe(1);
  expect(checkOf(bad.report, id).passed).toBe(false);
}

describe("size rules", () => {
  it("maxCompressed, with MB and MiB kept apart", async () => {
    const c = demoReport.image.sizes.compressed;
    await passAndFail(demo, "max-compressed", ["--max-compressed", `${c}B`], ["--max-compressed", `${c - 1}B`]);
    // A limit between 1000 and 1024 units decides MB vs MiB: 7 kB < c? pick the bracket around c.
    const kb = Math.ceil(c / 1000);
    if (c <= kb * 1000 && c > Math.floor((kb * 1000) / 1024) * 1024) {
      const kib = Math.floor((kb * 1000) / 1024);
      await passAndFail(demo, "max-compressed", ["--max-compressed", `${kb}kB`], ["--max-compressed", `${kib}KiB`]);
    }
  });
  it("maxUncompressed (MB vs MiB)", async () => {
    const u = demoReport.image.sizes.uncompressed; // about 309 kB = 301 KiB
    const kib = Math.ceil(u / 1024);
    expect(kib * 1024).toBeGreaterThanOrEqual(u);
    expect(kib * 1000).toBeLessThan(u); // the same number in kB is too small
    await passAndFail(demo, "max-uncompressed", ["--max-uncompressed", `${kib}KiB`], ["--max-uncompressed", `${kib}kB`]);
  });
  it("maxLayers", async () => {
    const n = demoReport.image.layers.length;
    await passAndFail(demo, "max-layers", ["--max-layers", String(n)], ["--max-layers", String(n - 1)]);
  });
  it("maxLayerSize", async () => {
    const max = Math.max(...demoReport.image.layers.map((l) => l.compressedSize));
    await passAndFail(demo, "max-layer-size", ["--max-layer-size", `${max}B`], ["--max-layer-size", `${max - 1}B`]);
  });
  it("maxWasted, maxWastedPercent and minEfficiency (1 - wasted/uncompressed)", async () => {
    const { wasted, uncompressed } = demoReport.image.sizes;
    expect(wasted).toBeGreaterThan(0);
    await passAndFail(demo, "max-wasted", ["--max-wasted", `${wasted}B`], ["--max-wasted", `${wasted - 1}B`]);
    const pct = (wasted / uncompressed) * 100;
    await passAndFail(demo, "max-wasted-percent", ["--max-wasted-percent", String(Math.ceil(pct))], ["--max-wasted-percent", String(Math.floor(pct))]);
    const eff = 1 - wasted / uncompressed;
    const r = await gate(demo, ["--min-efficiency", "0.5"]);
    expect(checkOf(r.report, "min-efficiency").actual).toBeCloseTo(eff, 3);
    await passAndFail(demo, "min-efficiency", ["--min-efficiency", String(Math.floor(eff * 100) / 100)], ["--min-efficiency", String(Math.ceil(eff * 100) / 100)]);
    expect((await gate(distroless, ["--min-efficiency", "1"])).code).toBe(0);
  });
});

describe("tools rules", () => {
  it("forbid: [shell] exits 1 and names every shell path", async () => {
    expect(shellPaths.length).toBeGreaterThanOrEqual(4);
    const p = await policyFile("shell.yaml", "tools:\n  forbid: [shell]\n");
    const r = await gate(demo, ["--policy", p]);
    expect(r.code).toBe(1);
    const c = checkOf(r.report, "forbid-shell");
    expect(c).toMatchObject({ passed: false, actual: shellPaths.length, limit: 0 });
    for (const path of shellPaths) expect(c.message).toContain(path);
    const text = await runCli(["scan", demo, "--policy", p]);
    expect(text.code).toBe(1);
    for (const path of shellPaths) expect(text.stdout.slice(text.stdout.indexOf("gate: FAILED"))).toContain(path);
  });
  it("an allow list with exactly those paths exits 0", async () => {
    const p = await policyFile("shell-allowed.yaml", `tools:\n  forbid: [shell]\n  allow:\n${shellPaths.map((s) => `    - ${s}\n`).join("")}`);
    const r = await gate(demo, ["--policy", p]);
    expect(r.code).toBe(0);
    expect(checkOf(r.report, "forbid-shell").message).toBe(`no shell in the final image (${shellPaths.length} allowed)`);
    // One path short fails again, naming only that path.
    const short = await policyFile("shell-short.yaml", `tools:\n  forbid: [shell]\n  allow: [${shellPaths.slice(1).join(", ")}]\n`);
    const s = await gate(demo, ["--policy", short]);
    expect(s.code).toBe(1);
    expect(checkOf(s.report, "forbid-shell").message).toMatch(new RegExp(`^1 shell: ${shellPaths[0]!.replace(/[.]/g, "\\.")} \\(\\d+ allowed\\)$`));
  });
  it("every forbid category fails on demo and passes on distroless", async () => {
    for (const cat of ["package-manager", "interpreter", "download-tool", "network-tool", "setuid", "capability"]) {
      expect(demoReport.findings.some((f) => (cat === "setuid" ? ["setuid", "setgid"] : [cat]).includes(f.category)), cat).toBe(true);
      const bad = await gate(demo, ["--forbid", cat]);
      expect(bad.code, cat).toBe(1);
      expect(checkOf(bad.report, `forbid-${cat}`).passed).toBe(false);
      const ok = await gate(distroless, ["--forbid", cat]);
      expect(ok.code, cat).toBe(0);
    }
  });
  it("allow by tool name: python3 allows /usr/bin/python3 but not python3.11", async () => {
    const interp = demoReport.findings.filter((f) => f.category === "interpreter" && f.inFinalImage).flatMap(allPaths);
    const r = await gate(demo, ["--forbid", "interpreter", "--allow", "python3"]);
    expect(r.code).toBe(1);
    const msg = checkOf(r.report, "forbid-interpreter").message;
    expect(msg).not.toMatch(/\/usr\/bin\/python3(,|$)/);
    expect(msg).toContain("/usr/bin/python3.11");
    const all = await gate(demo, ["--forbid", "interpreter", "--allow", interp.join(",")]);
    expect(all.code).toBe(0);
  });
});

describe("user and findings rules", () => {
  it("requireNonRoot", async () => {
    const bad = await gate(demo, ["--require-non-root"]);
    expect(bad.code).toBe(1);
    expect(checkOf(bad.report, "require-non-root")).toMatchObject({ passed: false, limit: "non-root" });
    const ok = await gate(distroless, ["--require-non-root"]);
    expect(ok.code).toBe(0);
    expect(checkOf(ok.report, "require-non-root").actual).toBe("65532:65532");
  });
  it("failOn", async () => {
    const ok = await gate(distroless, ["--fail-on", "high"]);
    expect(ok.code).toBe(0);
    expect(checkOf(ok.report, "fail-on")).toMatchObject({ passed: true, message: "no findings at or above high" });
    const bad = await gate(demo, ["--fail-on", "critical"]);
    expect(bad.code).toBe(1);
    expect(checkOf(bad.report, "fail-on").message).toMatch(/^\d+ findings? at or above critical: /);
  });
});

describe("provenance rules on local inputs", () => {
  it("requireDigest passes: a local input is addressed by its verified manifest digest", async () => {
    const r = await gate(distroless, ["--require-digest"]);
    expect(r.code).toBe(0);
    expect(checkOf(r.report, "require-digest").message).toMatch(/^local input \(oci-layout\): addressed by content, manifest sha256:/);
  });
  it("forbidLatest passes and allowedRegistries fails: no registry to check", async () => {
    expect((await gate(demo, ["--forbid-latest"])).code).toBe(0);
    const r = await gate(distroless, ["--allowed-registry", "ghcr.io/acme/*"]);
    expect(r.code).toBe(1);
    expect(checkOf(r.report, "allowed-registries").message).toContain("has no registry to check");
  });
});

describe("ignores", () => {
  async function secretIgnore(expires: string): Promise<{ code: number; report: JsonReport; stderr: string }> {
    const keys = demoReport.findings.filter((f) => f.ruleId === "secret-private-key" && f.path?.startsWith("/app/"));
    expect(keys.length).toBeGreaterThan(0);
    const p = await policyFile(
      `ignore-${expires}.yaml`,
      `findings:\n  failOn: critical\nignore:\n` +
        demoReport.findings
          .filter((f) => f.severity === "critical")
          .map((f) => (f.path ? `  - ruleId: ${f.ruleId}\n    path: "${f.path}"\n` : `  - ruleId: ${f.ruleId}\n`))
          .filter((s, i, a) => a.indexOf(s) === i)
          .map((s) => `${s}    reason: demo fixture secrets are fake\n    expires: ${expires}\n`)
          .join(""),
    );
    return gate(demo, ["--policy", p]);
  }
  it("an active ignore suppresses, an expired ignore makes it fail again", async () => {
    const active = await secretIgnore("2999-12-31");
    expect(active.code, JSON.stringify(active.report.gate)).toBe(0);
    expect(active.report.findings.filter((f) => f.suppressed).length).toBeGreaterThan(0);
    const expired = await secretIgnore("2020-01-01");
    expect(expired.code).toBe(1);
    expect(expired.report.gate!.ignores!.every((i) => i.status === "expired")).toBe(true);
    expect(expired.stderr).toMatch(/^warning: ignore expired on 2020-01-01: secret-/m);
  });
  it("path globs match files", async () => {
    const p = await policyFile("glob.yaml", "tools:\n  forbid: [shell]\nignore:\n  - path: /usr/**\n    reason: base image shells\n");
    const r = await gate(demo, ["--policy", p]);
    expect(r.code).toBe(0);
  });
});

describe("policy sources and errors", () => {
  it("auto-discovers .layerlint.yaml in the working directory; a flag overrides it", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await writeFile(join(dir, ".layerlint.yaml"), "size:\n  maxLayers: 1\n");
      const r = await runCli(["scan", demo, "--format", "json"], { cwd: dir });
      expect(r.code).toBe(1);
      expect(checkOf(JSON.parse(r.stdout) as JsonReport, "max-layers").limit).toBe(1);
      const o = await runCli(["scan", demo, "--format", "json", "--max-layers", "100"], { cwd: dir });
      expect(o.code).toBe(0);
    } finally {
      await cleanup();
    }
  });
  it("auto-discovers .layerlint.json", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await writeFile(join(dir, ".layerlint.json"), JSON.stringify({ tools: { forbid: ["shell"] } }));
      expect((await runCli(["scan", demo], { cwd: dir })).code).toBe(1);
      expect((await runCli(["scan", distroless], { cwd: dir })).code).toBe(0);
    } finally {
      await cleanup();
    }
  });
  it("a bad policy exits 2 with the key path and the reason", async () => {
    const p = await policyFile("bad.yaml", "size:\n  maxCompressed: 200 megs\n");
    const r = await runCli(["scan", demo, "--policy", p]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`error: policy: size.maxCompressed: expected a size like "200MB" or "1.5GiB" (in ${p})\n`);
    const typo = await policyFile("typo.yaml", "tools:\n  forbidd: [shell]\n");
    expect((await runCli(["scan", demo, "--policy", typo])).stderr).toBe(`error: policy: tools: unknown key "forbidd" (in ${typo})\n`);
    const missing = await runCli(["scan", demo, "--policy", join(tmp.dir, "nope.yaml")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: policy: cannot read .*nope\.yaml \(ENOENT\)\n$/);
    for (const args of [["--max-layers", "many"], ["--min-efficiency", "95"], ["--forbid", "shells"], ["--fail-on", "severe"], ["--report", "pdf=x.pdf"]]) {
      const e = await runCli(["scan", demo, ...args]);
      expect(e.code, args.join(" ")).toBe(2);
      expect(e.stderr, args.join(" ")).toMatch(/^error: /);
    }
  });
  it("no policy: no gate, exit 0", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const r = await runCli(["scan", demo, "--format", "json"], { cwd: dir });
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as JsonReport).gate).toBeUndefined();
    } finally {
      await cleanup();
    }
  });
});

describe("the distroless fixture passes a strict policy", () => {
  it("exits 0 and the text report ends with the gate table", async () => {
    const p = await policyFile(
      "strict.yaml",
      `size:
  maxCompressed: 50MB
  maxUncompressed: 100MiB
  maxLayers: 5
  maxLayerSize: 20MB
  maxWasted: 1MB
  maxWastedPercent: 1
  minEfficiency: 0.99
tools:
  forbid: [shell, package-manager, interpreter, download-tool, network-tool, setuid, capability]
user:
  requireNonRoot: true
provenance:
  requireDigest: true
  forbidLatest: true
findings:
  failOn: medium
`,
    );
    const r = await gate(distroless, ["--policy", p]);
    expect(r.code, JSON.stringify(r.report.gate?.checks.filter((c) => !c.passed))).toBe(0);
    expect(r.report.gate?.checks).toHaveLength(18);
    const text = await runCli(["scan", distroless, "--policy", p]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/gate: PASSED \(0 of 18 checks failed\)\n\s+check\s+actual\s+limit\s+details\n/);
    // On the demo the same policy fails, failures first.
    const demoText = await runCli(["scan", demo, "--policy", p]);
    expect(demoText.code).toBe(1);
    const rows = demoText.stdout.slice(demoText.stdout.indexOf("gate: FAILED")).split("\n").slice(2).filter((l) => /^(FAIL|pass) /.test(l));
    const firstPass = rows.findIndex((l) => l.startsWith("pass"));
    expect(rows.slice(firstPass).every((l) => l.startsWith("pass"))).toBe(true);
    expect(rows[0]).toMatch(/^FAIL/);
  });
});
