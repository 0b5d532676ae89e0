/**
 * JUnit XML for GitLab (artifacts:reports:junit) and Jenkins: one testsuite
 * for the image, one testcase per gate check; a failing check is a
 * <failure> whose message is the check's message. Without a gate (no
 * policy) the suite is empty: there is nothing to pass or fail.
 */
import type { GatedReport } from "../policy/gated-report.js";
import type { Report } from "../report.js";
import { checkCells, checkGroup } from "./check-display.js";
import { xmlAttr, xmlText } from "./xml.js";

export function renderJunit(report: Report | GatedReport): string {
  const checks = report.gate?.checks ?? [];
  const failures = checks.filter((c) => !c.passed).length;
  const suite = `layerlint ${report.image.input}`;
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="layerlint" tests="${checks.length}" failures="${failures}" errors="0" time="0">`,
    `  <testsuite name="${xmlAttr(suite)}" tests="${checks.length}" failures="${failures}" errors="0" skipped="0" time="0">`,
    `    <properties>`,
    `      <property name="image.input" value="${xmlAttr(report.image.input)}"/>`,
    `      <property name="image.manifestDigest" value="${xmlAttr(report.image.manifestDigest)}"/>`,
    `      <property name="image.platform" value="${xmlAttr(report.image.platform)}"/>`,
    `    </properties>`,
  ];
  for (const c of checks) {
    const { actual, limit } = checkCells(c);
    const message = c.message ?? "";
    const open = `    <testcase classname="layerlint.${checkGroup(c.id)}" name="${xmlAttr(c.id)}" time="0"`;
    if (c.passed) {
      lines.push(`${open}>`, `      <system-out>${xmlText(`${message}\nactual: ${actual}\nlimit: ${limit}`)}</system-out>`, `    </testcase>`);
    } else {
      lines.push(
        `${open}>`,
        `      <failure message="${xmlAttr(message)}" type="${xmlAttr(c.id)}">${xmlText(`${message}\nactual: ${actual}\nlimit: ${limit}`)}</failure>`,
        `    </testcase>`,
      );
    }
  }
  lines.push(`  </testsuite>`, `</testsuites>`);
  return `${lines.join("\n")}\n`;
}
