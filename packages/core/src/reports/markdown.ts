/**
 * Markdown summary for $GITHUB_STEP_SUMMARY and merge-request comments:
 * the verdict, the gate table (failures first), then findings by category.
 * Each category lists at most `maxPerCategory` rows so a big image stays
 * under GitHub's 1 MiB step-summary limit.
 */
import type { GatedReport } from "../policy/gated-report.js";
import type { Report } from "../report.js";
import type { Finding } from "../finding.js";
import { formatSize } from "../policy/size.js";
import { escapeText } from "../escape-text.js";
import { CATEGORY_TITLES, checkCells, failuresFirst, summariseDetails } from "./check-display.js";
import { findRule } from "../rules/catalogue.js";
import { ruleAnchor } from "../rules/docs.js";
import { baseLine, roleSections, whereLabel } from "../base-image/role-display.js";
import { markdownFixFirst, markdownWaste } from "./markdown-summary.js";
import { ignoredCount, withoutIgnored } from "../summary/ignored.js";

type AnyFinding = Finding & { baselineState?: string | undefined; suppressed?: { reason: string } | undefined };

/**
 * Escapes a table cell: newlines become spaces; then what escapeText
 * escapes (ESC, BEL and other controls, bidi overrides, raw name bytes);
 * then pipes, backslashes and HTML-ish brackets. So a hostile name neither
 * breaks the table nor reaches a reader's terminal or screen raw.
 * Backslashes are doubled after escapeText, so its `\x1b` renders as written.
 */
export function mdCell(s: string): string {
  return escapeText(s.replace(/\r?\n/g, " "))
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/[<>]/g, (c) => (c === "<" ? "&lt;" : "&gt;"))
    .replace(/`/g, "\\`");
}

/**
 * Prose that holds text from the image (a finding's message, the base
 * image's name from an annotation, a created_by step): mdCell, and the
 * characters that would make a link, an image or emphasis are escaped too,
 * so an annotation cannot draw a "passed" badge into the summary.
 * https://spec.commonmark.org/0.31.2/#backslash-escapes
 */
export function mdText(s: string): string {
  return mdCell(s).replace(/[[\]()!*_~]/g, (c) => `\\${c}`);
}

/** The rule ID, linked to its docs/rules.md section when catalogued. */
function ruleCell(id: string): string {
  return findRule(id) === undefined ? `\`${id}\`` : `[\`${id}\`](${ruleAnchor(id)})`;
}

export interface MarkdownOptions {
  maxPerCategory?: number | undefined;
  /** Leave ignored findings out (they are still counted). */
  hideIgnored?: boolean | undefined;
}

export function renderMarkdown(report: Report | GatedReport, options: MarkdownOptions = {}): string {
  const max = options.maxPerCategory ?? 50;
  const img = report.image;
  const out: string[] = [];
  const gate = report.gate;
  // A gate with no checks only applied ignores (--ignore, .layerlintignore): there is no verdict to give.
  const checked = gate !== undefined && gate.checks.length > 0;
  const verdict = gate === undefined ? "scanned (no policy)" : !checked ? "scanned (ignores only)" : gate.passed ? "✅ passed" : "❌ failed";
  out.push(`## layerlint: ${verdict}`, "");
  out.push(`**Image:** \`${mdCell(img.input)}\` (${img.source}, ${mdCell(img.platform)})  `);
  out.push(`**Manifest:** \`${img.manifestDigest}\`  `);
  if (img.reference !== null) out.push(`**Reference:** \`${mdCell(img.reference)}\`  `);
  out.push(
    `**Size:** ${formatSize(img.sizes.compressed)} compressed, ${formatSize(img.sizes.uncompressed)} uncompressed, ` +
      `${formatSize(img.sizes.wasted)} wasted, ${img.layers.length} layers  `,
    `**Base:** ${mdText(baseLine(img.base, img.layers.length))}`,
    "",
  );

  if (gate !== undefined) {
    const failed = gate.checks.filter((c) => !c.passed).length;
    if (checked) {
      out.push(`### Gate: ${failed === 0 ? "all" : `${failed} of`} ${gate.checks.length} checks ${failed === 0 ? "passed" : "failed"}`, "");
      out.push("| | check | actual | limit | details |", "|---|---|---|---|---|");
      for (const c of failuresFirst(gate.checks)) {
        const { actual, limit } = checkCells(c);
        out.push(`| ${c.passed ? "✅" : "❌"} | \`${c.id}\` | ${mdCell(actual)} | ${mdCell(limit)} | ${mdCell(summariseDetails(c.message ?? ""))} |`);
      }
      out.push("");
    }
    const expired = (gate as GatedReport["gate"] & object).ignores?.filter((i) => i.status === "expired") ?? [];
    for (const i of expired) {
      out.push(`> ⚠️ expired ignore (${i.expires}): ${mdCell([i.ruleId, i.path].filter(Boolean).join(" "))}: ${mdCell(i.reason)}`);
    }
    if (expired.length > 0) out.push("");
  }

  out.push(...markdownWaste(img));
  const all = report.findings as readonly AnyFinding[];
  const findings = options.hideIgnored === true ? withoutIgnored(all) : all;
  const ignored = ignoredCount(all);
  const apart = ignored === 0 ? "" : `, ${ignored} ignored${options.hideIgnored === true ? " and hidden" : ""}`;
  out.push(`### Findings (${findings.length}${apart})`, "");
  if (findings.length === 0) out.push("No findings.", "");
  // The user's own layers first (what they can fix), then the base image's.
  for (const section of roleSections(findings, img.base)) {
    if (section.title !== undefined) out.push(`#### Findings ${section.title}`, "");
    const groups = new Map<string, AnyFinding[]>();
    for (const f of section.findings) {
      const group = groups.get(f.category);
      if (group === undefined) groups.set(f.category, [f]);
      else group.push(f);
    }
    for (const [category, fs] of groups) out.push(...categoryTable(category, fs, max));
  }
  out.push(...markdownFixFirst(report));
  return `${out.join("\n")}\n`;
}

function categoryTable(category: string, fs: readonly AnyFinding[], max: number): string[] {
  const out: string[] = [];
  out.push(`<details${fs.some((f) => f.severity === "critical" || f.severity === "high") ? " open" : ""}>`);
  out.push(`<summary><b>${CATEGORY_TITLES[category] ?? category}</b> (${fs.length})</summary>`, "");
  out.push("| severity | rule | path | message | layer |", "|---|---|---|---|---|");
  for (const f of fs.slice(0, max)) {
    const tags = [f.baselineState === "new" ? "**new**" : "", f.suppressed ? `ignored: ${mdCell(f.suppressed.reason)}` : "", f.inFinalImage ? "" : "deleted later, still shipped"]
      .filter(Boolean)
      .join("; ");
    out.push(
      `| ${f.severity} | ${ruleCell(f.ruleId)} | ${f.path !== undefined ? `\`${mdCell(f.path)}\`` : ""} | ${mdText(f.message)}${tags ? ` (${tags})` : ""} | ${whereLabel(f)?.replace(/^layer /, "") ?? ""} |`,
    );
  }
  if (fs.length > max) out.push(`| | | | … and ${fs.length - max} more | |`);
  out.push("", "</details>", "");
  return out;
}
