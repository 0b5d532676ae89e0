// JUnit XML parses: a gate testsuite with one testcase per gate check, whose
// failure count equals the failing checks, then a findings testsuite with
// one testcase per finding category (summaries-junit.test.ts).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixturesOut, runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/gate.js";

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(() => tmp.cleanup());

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", isArray: (name) => name === "testcase" || name === "testsuite" });

describe("JUnit and markdown reports", () => {
  it("one testcase per check; failures = failing checks; written alongside SARIF and markdown in one run", async () => {
    const junit = join(tmp.dir, "out.xml");
    const md = join(tmp.dir, "summary.md");
    const json = join(tmp.dir, "report.json");
    const r = await runCli([
      "scan",
      `${fixturesOut}/demo.oci`,
      "--forbid",
      "shell,setuid,capability",
      "--require-non-root",
      "--max-layers",
      "50",
      "--fail-on",
      "critical",
      "--report",
      `junit=${junit}`,
      "--report",
      `markdown=${md}`,
      "--report",
      `json=${json}`,
    ]);
    expect(r.code).toBe(1);
    const xml = await readFile(junit, "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parser.parse(xml) as any;
    expect(doc.testsuites.testsuite).toHaveLength(2);
    const [suite, findingsSuite] = doc.testsuites.testsuite;
    const report = JSON.parse(await readFile(json, "utf8")) as { gate: { checks: { id: string; passed: boolean; message: string }[] } };
    const failing = report.gate.checks.filter((c) => !c.passed);
    expect(failing.length).toBe(5);
    expect(Number(doc.testsuites["@failures"])).toBe(failing.length + Number(findingsSuite["@failures"]));
    expect(Number(suite["@failures"])).toBe(failing.length);
    expect(Number(suite["@tests"])).toBe(report.gate.checks.length);
    expect(suite.testcase).toHaveLength(report.gate.checks.length);
    const failed = suite.testcase.filter((t: any) => t.failure !== undefined);
    expect(failed).toHaveLength(failing.length);
    for (const c of failing) {
      const t = suite.testcase.find((x: any) => x["@name"] === c.id);
      expect(t.failure["@message"]).toBe(c.message);
    }

    const summary = await readFile(md, "utf8");
    expect(summary).toMatch(/^## layerlint: ❌ failed\n/);
    const rows = summary.split("\n").filter((l) => /^\| (✅|❌) \|/.test(l));
    expect(rows).toHaveLength(report.gate.checks.length);
    expect(rows.slice(0, failing.length).every((l) => l.startsWith("| ❌"))).toBe(true);
    expect(summary).toContain("<summary><b>shells</b>");
    expect(summary).toContain("### Findings (");
  });

  it("a passing gate has no failures; special characters are escaped", async () => {
    const junit = join(tmp.dir, "ok.xml");
    const r = await runCli(["scan", `${fixturesOut}/distroless.oci`, "--forbid", "shell", "--allow", 'a<b>&"c', "--report", `junit=${junit}`]);
    expect(r.code).toBe(0);
    const xml = await readFile(junit, "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parser.parse(xml) as any;
    const [gateSuite, findingsSuite] = doc.testsuites.testsuite;
    expect(gateSuite["@failures"]).toBe("0");
    expect(gateSuite.testcase).toHaveLength(1);
    expect(findingsSuite["@name"]).toBe(`layerlint findings ${fixturesOut}/distroless.oci`);
    expect(Number(doc.testsuites["@failures"])).toBe(Number(findingsSuite["@failures"]));
  });
});
