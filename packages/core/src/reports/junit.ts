/**
 * JUnit XML for GitLab (artifacts:reports:junit) and Jenkins, in two
 * testsuites:
 * - the gate (when a policy ran with checks): one testcase per check; a
 *   failing check is a <failure> whose message is the check's message;
 * - the findings: one testcase per finding category, always all of them,
 *   so a scan without a policy still reports what it looked at. A category
 *   fails when it holds a finding of severity low or above that no ignore
 *   matched (and, with a baseline, that is new), as trivy's JUnit template
 *   makes each finding a failure
 *   (https://github.com/aquasecurity/trivy/blob/main/contrib/junit.tpl);
 *   info findings, ignored and known ones are listed in its output.
 * Whether the scan passes is still the gate's (the exit code).
 */
import type { GatedReport } from "../policy/gated-report.js";
import type { Report } from "../report.js";
import { CATEGORIES, findingCount, severityRank, type Finding } from "../finding.js";
import { CATEGORY_TITLES, checkCells, checkGroup } from "./check-display.js";
import { ignoredCount, withoutIgnored } from "../summary/ignored.js";
import { xmlAttr, xmlText } from "./xml.js";

export interface JunitOptions {
  /** Leave ignored findings out of the findings testcases' output. */
  hideIgnored?: boolean | undefined;
}

type GatedLike = Finding & { suppressed?: { reason: string } | undefined; baselineState?: string | undefined };

export function renderJunit(report: Report | GatedReport, options: JunitOptions = {}): string {
  const checks = report.gate?.checks ?? [];
  const checkFailures = checks.filter((c) => !c.passed).length;
  const findings = (options.hideIgnored === true ? withoutIgnored(report.findings) : report.findings) as readonly GatedLike[];
  const categories = CATEGORIES.map((category) => {
    const fs = findings.filter((f) => f.category === category);
    return { category, findings: fs, failing: fs.filter(fails) };
  });
  const categoryFailures = categories.filter((c) => c.failing.length > 0).length;
  const tests = checks.length + categories.length;
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="layerlint" tests="${tests}" failures="${checkFailures + categoryFailures}" errors="0" time="0">`,
  ];
  const properties = [
    `    <properties>`,
    `      <property name="image.input" value="${xmlAttr(report.image.input)}"/>`,
    `      <property name="image.manifestDigest" value="${xmlAttr(report.image.manifestDigest)}"/>`,
    `      <property name="image.platform" value="${xmlAttr(report.image.platform)}"/>`,
    `    </properties>`,
  ];
  if (checks.length > 0) {
    lines.push(
      `  <testsuite name="${xmlAttr(`layerlint ${report.image.input}`)}" tests="${checks.length}" failures="${checkFailures}" errors="0" skipped="0" time="0">`,
      ...properties,
    );
    for (const c of checks) {
      const { actual, limit } = checkCells(c);
      const message = c.message ?? "";
      const body = xmlText(`${message}\nactual: ${actual}\nlimit: ${limit}`);
      lines.push(`    <testcase classname="layerlint.${checkGroup(c.id)}" name="${xmlAttr(c.id)}" time="0">`);
      if (c.passed) lines.push(`      <system-out>${body}</system-out>`);
      else lines.push(`      <failure message="${xmlAttr(message)}" type="${xmlAttr(c.id)}">${body}</failure>`);
      lines.push(`    </testcase>`);
    }
    lines.push(`  </testsuite>`);
  }
  // Ignored findings are counted apart, as in the text and markdown reports.
  const counts = [
    `      <property name="findings.total" value="${report.summary.total}"/>`,
    `      <property name="findings.ignored" value="${ignoredCount(report.findings)}"/>`,
  ];
  lines.push(
    `  <testsuite name="${xmlAttr(`layerlint findings ${report.image.input}`)}" tests="${categories.length}" failures="${categoryFailures}" errors="0" skipped="0" time="0">`,
    ...properties.slice(0, -1),
    ...counts,
    properties[properties.length - 1]!,
  );
  for (const c of categories) {
    const title = CATEGORY_TITLES[c.category] ?? c.category;
    lines.push(`    <testcase classname="layerlint.findings" name="${xmlAttr(c.category)}" time="0">`);
    const listing = xmlText(c.findings.map(findingLine).join("\n"));
    if (c.failing.length > 0) {
      const n = c.failing.reduce((k, f) => k + findingCount(f), 0);
      const message = `${n} ${title} finding${n === 1 ? "" : "s"}`;
      lines.push(`      <failure message="${xmlAttr(message)}" type="${xmlAttr(c.category)}">${listing}</failure>`);
    } else if (c.findings.length > 0) {
      lines.push(`      <system-out>${listing}</system-out>`);
    }
    lines.push(`    </testcase>`);
  }
  lines.push(`  </testsuite>`, `</testsuites>`);
  return `${lines.join("\n")}\n`;
}

function fails(f: GatedLike): boolean {
  return severityRank(f.severity) >= severityRank("low") && f.suppressed === undefined && f.baselineState !== "unchanged";
}

/** "HIGH setuid-binary /usr/bin/su: setuid file … [layer 0] (ignored: reason)" */
function findingLine(f: GatedLike): string {
  const where = f.layer === null ? "" : ` [layer ${f.layer}]`;
  const count = findingCount(f) > 1 ? ` (${findingCount(f)} findings)` : "";
  const tag = f.suppressed !== undefined ? ` (ignored: ${f.suppressed.reason})` : f.baselineState === "unchanged" ? " (in the baseline)" : "";
  return `${f.severity.toUpperCase()} ${f.ruleId}: ${f.message}${where}${count}${tag}`;
}
