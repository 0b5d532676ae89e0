// The flags trivy and dockle users type without reading the help: -f with
// every report format, -o - and --report FORMAT=- for stdout, --exit-code,
// --severity (a display filter the gate does not see), --fail-on in any
// case, the version command and --platform shorthands. Through the built CLI.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { XMLValidator } from "fast-xml-parser";
import { fixturesOut, runCli, type CliResult } from "./helpers/cli.js";
import { tempDir } from "./helpers/gate.js";

const demo = `${fixturesOut}/demo.oci`;
const FORMATS = ["text", "json", "sarif", "junit", "markdown"] as const;

interface JsonFinding {
  ruleId: string;
  severity: string;
  aggregate?: { count: number };
}
interface JsonReport {
  findings: JsonFinding[];
  summary: unknown;
  gate?: { passed: boolean };
}

/** A usage error: exit 2, nothing on stdout, one `error:` line on stderr. */
function expectOneLineError(r: CliResult, message: string | RegExp): void {
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: "" });
  expect(r.stderr.split("\n")).toHaveLength(2);
  if (typeof message === "string") expect(r.stderr).toBe(`error: ${message}\n`);
  else expect(r.stderr).toMatch(message);
}

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir("layerlint-flags-");
});
afterAll(async () => tmp.cleanup());

describe("-f/--format and stdout", () => {
  it.each(FORMATS)("scan -f %s writes what --report FORMAT=FILE writes, to stdout, and -o - is stdout too", async (format) => {
    const file = `${tmp.dir}/report.${format}`;
    const viaReport = await runCli(["scan", demo, "--report", `${format}=${file}`]);
    expect(viaReport.code).toBe(0);
    const expected = await readFile(file, "utf8");
    for (const args of [["-f", format], ["--format", format.toUpperCase()], ["-f", format, "-o", "-"], [`--format=${format}`]]) {
      const r = await runCli(["scan", demo, ...args]);
      expect({ code: r.code, stderr: r.stderr }, args.join(" ")).toEqual({ code: 0, stderr: "" });
      expect(r.stdout, args.join(" ")).toBe(expected);
    }
    if (format === "json") expect((JSON.parse(expected) as JsonReport).findings.length).toBeGreaterThan(0);
    if (format === "sarif") expect((JSON.parse(expected) as { version: string }).version).toBe("2.1.0");
    if (format === "junit") expect(XMLValidator.validate(expected)).toBe(true);
  });

  it("files and info refuse a format they cannot write, in one line, before reading the image", async () => {
    for (const cmd of ["files", "info"]) {
      for (const format of ["sarif", "junit", "markdown"]) {
        expectOneLineError(await runCli([cmd, demo, "-f", format]), `-f: ${cmd} cannot write ${format}; expected text, json, got "${format}"`);
      }
      const json = await runCli([cmd, demo, "-f", "JSON", "-o", "-"]);
      expect({ code: json.code, stderr: json.stderr }).toEqual({ code: 0, stderr: "" });
      expect(json.stdout).toBe((await runCli([cmd, demo, "-f", "json"])).stdout);
    }
    expectOneLineError(await runCli(["scan", demo, "-f", "yaml"]), `-f: expected text, json, sarif, junit, markdown, got "yaml"`);
  });

  it("--report FORMAT=- writes that report to stdout while -o sends the main one to a file", async () => {
    const main = `${tmp.dir}/main.txt`;
    const r = await runCli(["scan", demo, "-o", main, "--report", "sarif=-"]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toBe((await runCli(["scan", demo, "-f", "sarif"])).stdout);
    expect(await readFile(main, "utf8")).toBe((await runCli(["scan", demo])).stdout);
  });

  it("two outputs on stdout are one line of error, before the scan", async () => {
    const f = `${tmp.dir}/x.txt`;
    expectOneLineError(
      await runCli(["scan", demo, "--report", "sarif=-"]),
      "the text report and --report sarif=- would both write to stdout; send the others to files (-o FILE, --report FORMAT=FILE)",
    );
    expectOneLineError(
      await runCli(["scan", demo, "-f", "json", "-o", "-", "--report", "junit=-"]),
      "the json report and --report junit=- would both write to stdout; send the others to files (-o FILE, --report FORMAT=FILE)",
    );
    expectOneLineError(
      await runCli(["scan", demo, "-o", f, "--report", "sarif=-", "--report", "junit=-"]),
      "--report sarif=- and --report junit=- would both write to stdout; send the others to files (-o FILE, --report FORMAT=FILE)",
    );
  });
});

describe("--exit-code", () => {
  it("is the exit code of a failed gate; a passing gate still exits 0", async () => {
    for (const n of ["0", "1", "3", "255"]) {
      const r = await runCli(["scan", demo, "--fail-on", "low", "--exit-code", n, "-f", "json"]);
      expect({ code: r.code, stderr: r.stderr }, n).toEqual({ code: Number(n), stderr: "" });
      // 0 reports the failed gate without failing the job.
      expect((JSON.parse(r.stdout) as JsonReport).gate?.passed).toBe(false);
    }
    const pass = await runCli(["scan", demo, "--max-layers", "1000", "--exit-code", "3", "-f", "json"]);
    expect(pass.code).toBe(0);
    expect((JSON.parse(pass.stdout) as JsonReport).gate?.passed).toBe(true);
    expect((await runCli(["scan", demo, "--fail-on", "low"])).code).toBe(1);
  });

  it("without any gate, warns that nothing can fail", async () => {
    const r = await runCli(["scan", demo, "--exit-code", "5", "-f", "json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("warning: --exit-code 5 applies when the gate fails, and no policy or gate flag is set; add one, e.g. --fail-on high\n");
  });

  it("takes an integer 0-255 other than 2 (errors), in one line of error before the scan", async () => {
    expectOneLineError(
      await runCli(["scan", demo, "--fail-on", "low", "--exit-code", "2"]),
      "--exit-code: 2 is the exit code for errors; a failed gate must exit differently (0 to report only)",
    );
    for (const bad of ["256", "-1", "1.5", "x", "", "0x10", "1e2"]) {
      expectOneLineError(await runCli(["scan", demo, "--exit-code", bad]), `--exit-code: expected an integer from 0 to 255, got ${JSON.stringify(bad)}`);
    }
  });
});

describe("--severity and --fail-on", () => {
  let all: JsonReport;
  beforeAll(async () => {
    all = JSON.parse((await runCli(["scan", demo, "-f", "json", "--fail-on", "medium"])).stdout) as JsonReport;
  });
  const count = (fs: JsonFinding[]) => fs.reduce((n, f) => n + (f.aggregate?.count ?? 1), 0);

  it("shows and reports only the listed severities, in any case; summary still counts every finding", async () => {
    const keep = ["high", "critical"];
    const sarifFile = `${tmp.dir}/sev.sarif`;
    const jsonFile = `${tmp.dir}/sev.json`;
    const r = await runCli(["scan", demo, "-f", "json", "--fail-on", "medium", "--severity", "HIGH,critical", "--report", `json=${jsonFile}`, "--report", `sarif=${sarifFile}`]);
    const shown = JSON.parse(r.stdout) as JsonReport;
    expect(shown.findings).toEqual(all.findings.filter((f) => keep.includes(f.severity)));
    expect(shown.findings.length).toBeGreaterThan(0);
    expect(shown.findings.length).toBeLessThan(all.findings.length);
    expect(shown.summary).toEqual(all.summary);
    expect(await readFile(jsonFile, "utf8")).toBe(r.stdout);
    const sarif = JSON.parse(await readFile(sarifFile, "utf8")) as { runs: { results: { ruleId: string }[] }[] };
    expect(sarif.runs[0]!.results.map((x) => x.ruleId)).toEqual(shown.findings.map((f) => f.ruleId));
    // Repeated flags are a union, like comma-separated ones.
    const repeated = await runCli(["scan", demo, "-f", "json", "--fail-on", "medium", "--severity", "critical", "--severity", "High"]);
    expect(repeated.stdout).toBe(r.stdout);
  });

  it("never changes the gate: it evaluates every finding, fails the same, and the text says how many were hidden", async () => {
    const r = await runCli(["scan", demo, "-f", "json", "--fail-on", "medium", "--severity", "critical"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).gate).toEqual(all.gate);
    expect(all.gate?.passed).toBe(false);
    const text = await runCli(["scan", demo, "--fail-on", "medium", "--severity", "critical"]);
    expect(text.code).toBe(1);
    const hidden = all.findings.filter((f) => f.severity !== "critical");
    const lines = text.stdout.trimEnd().split("\n");
    expect(lines.at(-1)).toMatch(new RegExp(`^--severity critical hid ${count(hidden)} findings \\(.+\\); the gate evaluated all of them$`));
    expect(lines).toContain(lines.find((l) => l.startsWith("gate: FAILED")));
    for (const f of hidden) expect(text.stdout).not.toMatch(new RegExp(`^  ${f.severity.toUpperCase()} `, "m"));
    const textFile = `${tmp.dir}/sev.txt`;
    const plain = await runCli(["scan", demo, "--severity", "critical", "--report", `text=${textFile}`]);
    expect(await readFile(textFile, "utf8")).toBe(plain.stdout);
    expect(plain.stdout.trimEnd().split("\n").at(-1)).toBe(`--severity critical hid ${count(hidden)} findings (${
      ["high", "medium", "low", "info"].map((s) => [s, count(hidden.filter((f) => f.severity === s))] as const).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n}`).join(", ")
    })`);
  });

  it("a baseline written under --severity still records every finding", async () => {
    const a = `${tmp.dir}/base-all.json`;
    const b = `${tmp.dir}/base-sev.json`;
    await runCli(["scan", demo, "--write-baseline", a]);
    await runCli(["scan", demo, "--write-baseline", b, "--severity", "critical"]);
    expect(await readFile(b, "utf8")).toBe(await readFile(a, "utf8"));
  });

  it("--fail-on takes any case, and bad values are one line of error", async () => {
    const lower = await runCli(["scan", demo, "-f", "json", "--fail-on", "high"]);
    const upper = await runCli(["scan", demo, "-f", "json", "--fail-on", "HIGH"]);
    expect(upper.code).toBe(lower.code);
    expect(upper.stdout).toBe(lower.stdout);
    const expected = "expected info, low, medium, high, critical (any case)";
    expectOneLineError(await runCli(["scan", demo, "--fail-on", "severe"]), `--fail-on: ${expected}, got "severe"`);
    expectOneLineError(await runCli(["scan", demo, "--severity", "high,bad"]), `--severity: ${expected}, got "bad"`);
    expectOneLineError(await runCli(["scan", demo, "--severity", "high,"]), `--severity: ${expected}, comma-separated, got "high,"`);
  });
});

describe("version", () => {
  const pkg = (p: string) => (createRequire(import.meta.url)(p) as { version: string }).version;

  it("prints the tool, core and Node versions and the platform; -f json too; --version stays bare", async () => {
    const expected = {
      version: pkg("../packages/cli/package.json"),
      core: pkg("../packages/core/package.json"),
      node: process.version,
      platform: `${process.platform}/${process.arch}`,
    };
    const text = await runCli(["version"]);
    expect({ code: text.code, stderr: text.stderr }).toEqual({ code: 0, stderr: "" });
    expect(text.stdout).toBe(
      `layerlint  ${expected.version}\ncore       ${expected.core}\nnode       ${expected.node}\nplatform   ${expected.platform}\n`,
    );
    const json = await runCli(["version", "-f", "json"]);
    expect(JSON.parse(json.stdout)).toEqual(expected);
    expect((await runCli(["--version"])).stdout).toBe(`${expected.version}\n`);
    expectOneLineError(await runCli(["version", "-f", "sarif"]), `-f: version cannot write sarif; expected text, json, got "sarif"`);
  });
});

describe("--platform shorthands", () => {
  const multi = `${fixturesOut}/multiarch.oci`;
  const platformOf = async (p: string) => {
    const r = await runCli(["info", multi, "--platform", p, "-f", "json"]);
    expect({ code: r.code, stderr: r.stderr }, p).toEqual({ code: 0, stderr: "" });
    return JSON.parse(r.stdout) as { manifestDigest: string; platform: string };
  };

  it.each([
    ["arm64", "linux/arm64"],
    ["arm64/v8", "linux/arm64/v8"],
    ["arm/v7", "linux/arm/v7"],
    ["amd64", "linux/amd64"],
  ])("%s picks what %s picks, as docker --platform takes it", async (short, full) => {
    expect(await platformOf(short)).toEqual(await platformOf(full));
  });

  it("keeps its errors for nonsense and for a single-platform image of another platform", async () => {
    for (const bad of ["x86", "linux", "arm64/"]) {
      expectOneLineError(await runCli(["info", multi, "--platform", bad]), `invalid platform ${JSON.stringify(bad)}: expected os/arch[/variant]`);
    }
    expectOneLineError(await runCli(["scan", demo, "--platform", "arm64"]), `${demo} is linux/amd64 only; --platform linux/arm64 does not match`);
  });
});
