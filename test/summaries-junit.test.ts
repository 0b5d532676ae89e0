// JUnit without a policy is not an empty report: one testcase per finding
// category. A category fails when it holds a finding of severity low or
// above that no ignore matched; info findings and ignored ones are listed
// in its output, and the suite's properties count them apart. Long gate details are summarised in the text and markdown
// tables and kept whole in JSON and JUnit.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CATEGORIES } from "../packages/core/src/finding.js";
import { summariseDetails } from "../packages/core/src/reports/check-display.js";
import { fixturesOut, runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/gate.js";

const demo = `${fixturesOut}/demo.oci`;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", isArray: (n) => n === "testcase" || n === "testsuite" });

interface JsonReport {
  findings: { category: string; severity: string; ruleId: string; message: string }[];
  gate?: { checks: { id: string; message: string }[] };
}

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir("layerlint-junit-");
});
afterAll(() => tmp.cleanup());

describe("JUnit findings testcases", () => {
  it("without a policy: one testcase per category; failures are the categories with findings of low or above", async () => {
    const junit = join(tmp.dir, "nopolicy.xml");
    const r = await runCli(["scan", "-f", "json", "--report", `junit=${junit}`, demo], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as JsonReport;
    const xml = await readFile(junit, "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parser.parse(xml) as any;
    expect(doc.testsuites["@tests"]).toBe(String(CATEGORIES.length));
    expect(doc.testsuites.testsuite).toHaveLength(1);
    const suite = doc.testsuites.testsuite[0];
    expect(suite["@name"]).toBe(`layerlint findings ${demo}`);
    expect(suite.testcase.map((t: any) => t["@name"])).toEqual([...CATEGORIES]);
    const failingCategories = CATEGORIES.filter((c) => report.findings.some((f) => f.category === c && f.severity !== "info"));
    expect(failingCategories.length).toBeGreaterThan(3);
    expect(Number(suite["@failures"])).toBe(failingCategories.length);
    expect(doc.testsuites["@failures"]).toBe(suite["@failures"]);
    const perms = suite.testcase.find((t: any) => t["@name"] === "permissions");
    const n = report.findings.filter((f) => f.category === "permissions").length;
    expect(n).toBe(2);
    expect(perms.failure["@message"]).toBe("2 permissions findings");
    expect(perms.failure["#text"]).toContain("MEDIUM world-writable-file: file /app/log.txt is world-writable (-rw-rw-rw-) [layer 4]");
    // A category with no findings passes silently.
    const empty = CATEGORIES.find((c) => !report.findings.some((f) => f.category === c))!;
    const emptyCase = suite.testcase.find((t: any) => t["@name"] === empty);
    expect(emptyCase.failure).toBeUndefined();
    expect(emptyCase["system-out"]).toBeUndefined();
  });

  it("ignored findings do not fail their category; they are listed with the reason", async () => {
    const junit = join(tmp.dir, "ignored.xml");
    await runCli(["scan", "--ignore", "world-writable-file", "--ignore", "world-writable-dir", "--report", `junit=${junit}`, demo], { cwd: tmp.dir });
    const doc = parser.parse(await readFile(junit, "utf8")) as any;
    const perms = doc.testsuites.testsuite[0].testcase.find((t: any) => t["@name"] === "permissions");
    expect(perms.failure).toBeUndefined();
    expect(perms["system-out"]).toContain("MEDIUM world-writable-file: file /app/log.txt is world-writable (-rw-rw-rw-) [layer 4] (ignored: --ignore)");
    const props = Object.fromEntries(doc.testsuites.testsuite[0].properties.property.map((p: any) => [p["@name"], p["@value"]]));
    expect(props["findings.ignored"]).toBe("2");
    expect(Number(props["findings.total"])).toBeGreaterThan(2);
  });
});

describe("long gate details", () => {
  it("a fail-on cell listing many findings is summarised in the text and markdown tables, whole in JSON and JUnit", async () => {
    const md = join(tmp.dir, "long.md");
    const junit = join(tmp.dir, "long.xml");
    const json = join(tmp.dir, "long.json");
    const r = await runCli(["scan", "--fail-on", "low", "--report", `markdown=${md}`, "--report", `junit=${junit}`, "--report", `json=${json}`, demo], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    const full = (JSON.parse(await readFile(json, "utf8")) as JsonReport).gate!.checks.find((c) => c.id === "fail-on")!.message;
    expect(full.length).toBeGreaterThan(400);
    const short = summariseDetails(full);
    expect(short.length).toBeLessThanOrEqual(120);
    expect(short).toMatch(/^\d+ findings at or above low: .+ and \d+ more$/);
    const row = r.stdout.split("\n").find((l) => l.startsWith("FAIL  fail-on"))!;
    expect(row.endsWith(short)).toBe(true);
    expect(r.stdout).not.toContain(full);
    const mdText = await readFile(md, "utf8");
    expect(mdText).toContain(`| ❌ | \`fail-on\` |`);
    expect(mdText).not.toContain(full);
    const doc = parser.parse(await readFile(junit, "utf8")) as any;
    const failOn = doc.testsuites.testsuite[0].testcase.find((t: any) => t["@name"] === "fail-on");
    expect(failOn.failure["@message"]).toBe(full);
  });

  it("summariseDetails keeps whole items and counts the rest, including a list's own 'and N more'", () => {
    const items = Array.from({ length: 30 }, (_, i) => `rule-${i} /usr/bin/tool${i}`);
    const msg = `50 findings at or above high: ${items.join(", ")} and 20 more`;
    const s = summariseDetails(msg, 100);
    expect(s.length).toBeLessThanOrEqual(100);
    const kept = s.slice("50 findings at or above high: ".length, s.lastIndexOf(" and ")).split(", ");
    expect(items.slice(0, kept.length)).toEqual(kept);
    expect(s.endsWith(` and ${30 - kept.length + 20} more`)).toBe(true);
    expect(summariseDetails("short message")).toBe("short message");
  });
});
