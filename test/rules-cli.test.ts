// `layerlint rules`, and the rule ID on every finding of the text and
// markdown reports, through the built CLI.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ruleCatalogue } from "../packages/core/src/rules/catalogue.js";
import { fixturesOut, runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/gate.js";

const DOCS = "https://github.com/layerlint/layerlint/blob/main/docs/rules.md";

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(() => tmp.cleanup());

interface JsonFinding {
  ruleId: string;
  category: string;
  severity: string;
  message: string;
}

describe("layerlint rules", () => {
  it("lists every rule as a table: id, category, severity, title", async () => {
    const r = await runCli(["rules"]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^ID +CATEGORY +SEVERITY +TITLE$/);
    const rows = lines.slice(1, 1 + ruleCatalogue.length);
    const titleAt = lines[0]!.indexOf("TITLE");
    rows.forEach((row, i) => {
      const rule = ruleCatalogue[i]!;
      expect(row.split(/ {2,}/)).toEqual([rule.id, rule.category, rule.severity.toUpperCase(), rule.title]);
      expect(row.indexOf(rule.title)).toBe(titleAt);
    });
    expect(lines.slice(1 + ruleCatalogue.length)).toEqual(["", `${ruleCatalogue.length} rules; details: ${DOCS}`, ""]);
  });

  it("-f json gives the whole catalogue, each rule with its doc link", async () => {
    const r = await runCli(["rules", "-f", "json"]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    const doc = JSON.parse(r.stdout) as { docs: string; rules: Record<string, unknown>[] };
    expect(doc.docs).toBe(DOCS);
    expect(doc.rules).toEqual(ruleCatalogue.map((rule) => ({ ...rule, references: [...rule.references], helpUri: `${DOCS}#${rule.id}` })));
    expect(Object.keys(doc.rules[0]!)).toEqual(["id", "category", "severity", "title", "help", "fix", "references", "helpUri"]);
  });

  it("each gate-* rule names a flag that scan takes", async () => {
    const help = (await runCli(["scan", "--help"])).stdout;
    const gate = ruleCatalogue.filter((r) => r.id.startsWith("gate-"));
    expect(gate.length).toBeGreaterThan(0);
    for (const r of gate) {
      const flag = /`(--[a-z-]+)`/.exec(r.help)?.[1];
      expect(flag, r.id).toBeDefined();
      expect(help, r.id).toMatch(new RegExp(`${flag} `));
    }
  });

  it("refuses an unknown format with exit 2", async () => {
    const r = await runCli(["rules", "-f", "yaml"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: .*yaml/);
  });
});

describe("rule IDs in reports", () => {
  it("the text report names the rule on every finding line, in one column per group", async () => {
    const input = `${fixturesOut}/demo.oci.tar`;
    const [text, json] = await Promise.all([runCli(["scan", input]), runCli(["scan", input, "--format", "json"])]);
    expect(text.stderr).toBe("");
    const findings = (JSON.parse(json.stdout) as { findings: JsonFinding[] }).findings;
    const lines = text.stdout.split("\n").filter((l) => /^ {2}(CRITICAL|HIGH|MEDIUM|LOW|INFO) /.test(l));
    expect(lines).toHaveLength(findings.length);
    const ids = new Set(ruleCatalogue.map((r) => r.id));
    // Each line: severity (8 wide), the rule ID, two spaces or more, the message.
    for (const line of lines) {
      const m = /^ {2}(\S+) +(\S+) {2,}(.*)$/.exec(line);
      expect(m, line).not.toBeNull();
      expect(ids.has(m![2]!), line).toBe(true);
      expect(line.indexOf(m![2]!)).toBe(11);
    }
    // Same findings, same rules, as the JSON report.
    const pairs = (xs: { id: string; message: string }[]) => xs.map((x) => `${x.id} ${x.message}`).sort();
    const fromText = lines.map((l) => {
      const m = /^ {2}\S+ +(\S+) {2,}(.*?)(?: \[(?:layer [^\]]*|config[^\]]*)\])?$/.exec(l)!;
      return { id: m[1]!, message: m[2]! };
    });
    expect(pairs(fromText)).toEqual(pairs(findings.map((f) => ({ id: f.ruleId, message: f.message }))));
    // Within a category group the messages start in one column.
    const groups = text.stdout.split("\n\n").map((g) => g.split("\n").filter((l) => /^ {2}[A-Z]+ /.test(l))).filter((g) => g.length > 1);
    expect(groups.length).toBeGreaterThan(3);
    for (const g of groups) {
      const starts = g.map((l) => /^ {2}\S+ +\S+ +/.exec(l)![0].length);
      expect(new Set(starts).size, g.join("\n")).toBe(1);
    }
  });

  it("the markdown report links each finding's rule to its docs/rules.md section", async () => {
    const md = join(tmp.dir, "report.md");
    const r = await runCli(["scan", `${fixturesOut}/demo.oci`, "--report", `markdown=${md}`, "--format", "json", "-o", join(tmp.dir, "r.json")]);
    expect(r.stderr).toBe("");
    const text = await readFile(md, "utf8");
    const rows = text.split("\n").filter((l) => /^\| (critical|high|medium|low|info) \|/.test(l));
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) {
      const m = /^\| \S+ \| \[`([a-z0-9-]+)`\]\((\S+)\) \|/.exec(row);
      expect(m, row).not.toBeNull();
      expect(m![2]).toBe(`${DOCS}#${m![1]}`);
    }
  });
});
