// Policies that explain themselves, through the built CLI: a policy
// picked up from the working directory is named on stderr and
// --no-policy skips it; a policy with no check says the gate checks
// nothing; a size without a unit asks for one; YAML and JSON syntax
// errors give the line and column.
import { mkdtemp, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixturesOut, runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/gate.js";

const demo = `${fixturesOut}/demo.oci`;
const NOTICE = "policy: .layerlint.yaml (found in the working directory; --no-policy skips it)\n";

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir("layerlint-errors-policy-");
});
afterAll(() => tmp.cleanup());

/** A fresh working directory inside tmp holding one file. */
async function dirWith(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmp.dir, "cwd-"));
  await writeFile(join(dir, name), text);
  return dir;
}

describe("policy pick-up", () => {
  it("names the working directory's policy on stderr; --no-policy skips it", async () => {
    const dir = await dirWith(".layerlint.yaml", "size:\n  maxLayers: 1\n");
    const r = await runCli(["scan", demo, "--format", "json"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(NOTICE);
    expect((JSON.parse(r.stdout) as { gate?: unknown }).gate).toBeDefined();

    const off = await runCli(["scan", demo, "--format", "json", "--no-policy"], { cwd: dir });
    expect(off.code).toBe(0);
    expect(off.stderr).toBe("");
    expect((JSON.parse(off.stdout) as { gate?: unknown }).gate).toBeUndefined();

    // --no-policy skips only the file: a rule flag still makes a gate.
    const flag = await runCli(["scan", demo, "--format", "json", "--no-policy", "--max-layers", "1"], { cwd: dir });
    expect(flag.code).toBe(1);
    expect(flag.stderr).toBe("");
  });

  it("an explicit --policy is not announced", async () => {
    const p = join(tmp.dir, "explicit.yaml");
    await writeFile(p, "size:\n  maxLayers: 100\n");
    const r = await runCli(["scan", demo, "--policy", p]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
  });

  it("a policy with no check warns that the gate checks nothing", async () => {
    const dir = await dirWith(".layerlint.yaml", "# nothing yet\nignore:\n  - ruleId: shell\n    reason: the shell is wanted\n");
    const r = await runCli(["scan", demo], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `${NOTICE}warning: policy .layerlint.yaml sets no check (size, tools, user, provenance or findings): the gate checks nothing and always passes\n`,
    );
    const p = join(tmp.dir, "empty.yaml");
    await writeFile(p, "");
    const e = await runCli(["scan", demo, "--policy", p]);
    expect(e.stderr).toBe(`warning: policy ${p} sets no check (size, tools, user, provenance or findings): the gate checks nothing and always passes\n`);
    // A rule flag is a check: no warning.
    const f = await runCli(["scan", demo, "--policy", p, "--max-layers", "100"]);
    expect(f.stderr).toBe("");
  });
});

describe("sizes need a unit", () => {
  it("--max-compressed 200 is an error asking for a unit, not 200 bytes", async () => {
    const r = await runCli(["scan", demo, "--max-compressed", "200"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      'error: policy: size.maxCompressed: a size needs a unit: "200MB" (10^6 bytes), "200MiB" (2^20) or "200B" for bytes (in --max-compressed)\n',
    );
    for (const flag of ["--max-uncompressed", "--max-layer-size", "--max-wasted"]) {
      const e = await runCli(["scan", demo, flag, "15"]);
      expect(e.code, flag).toBe(2);
      expect(e.stderr, flag).toContain('a size needs a unit: "15MB"');
    }
  });

  it("the same in a policy file, as a YAML number or string", async () => {
    for (const value of ["200", '"200"']) {
      const p = join(tmp.dir, "bare.yaml");
      await writeFile(p, `size:\n  maxWasted: ${value}\n`);
      const r = await runCli(["scan", demo, "--policy", p]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`error: policy: size.maxWasted: a size needs a unit: "200MB" (10^6 bytes), "200MiB" (2^20) or "200B" for bytes (in ${p})\n`);
    }
  });

  it("0 needs no unit, and a unit makes any number a size", async () => {
    const zero = await runCli(["scan", demo, "--format", "json", "--max-wasted", "0"]);
    const check = (JSON.parse(zero.stdout) as { gate: { checks: { id: string; limit: unknown }[] } }).gate.checks.find((c) => c.id === "max-wasted");
    expect(check?.limit).toBe(0);
    const bytes = await runCli(["scan", demo, "--format", "json", "--max-compressed", "200B"]);
    expect(bytes.code).toBe(1);
  });
});

describe("syntax errors give the line and column", () => {
  it("YAML", async () => {
    const p = join(tmp.dir, "broken.yaml");
    await writeFile(p, "size:\n  maxLayers: 3\ntools:\n  forbid: [shell\n");
    const r = await runCli(["scan", demo, "--policy", p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: policy: invalid YAML at line 5, column 1: [^\n]*\(in .*broken\.yaml\)\n$/);
    const dup = join(tmp.dir, "dup.yaml");
    await writeFile(dup, "size:\n  maxLayers: 3\n  maxLayers: 4\n");
    expect((await runCli(["scan", demo, "--policy", dup])).stderr).toBe(`error: policy: invalid YAML at line 3, column 3: Map keys must be unique (in ${dup})\n`);
  });

  it("JSON", async () => {
    const p = join(tmp.dir, "broken.json");
    await writeFile(p, '{\n  "size": {\n    "maxLayers": 3,\n  }\n}\n');
    const r = await runCli(["scan", demo, "--policy", p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: policy: invalid JSON at line 4, column 3: unexpected "}" (in ${p})\n`);
  });
});
