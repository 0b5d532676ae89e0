/** The text report's closing summaries: where the wasted bytes are, and what to fix first. */
import { fixActionLine, fixFirst, wastedPathLine, type Report } from "@layerlint/core";
import { formatBytes, table } from "./format.js";
import type { Style } from "./style.js";
import { printable } from "./printable.js";

/** "wasted space": the top wasted paths with their size and layers, then what they leave out. */
export function wasteSection(img: Report["image"], style: Style): string[] {
  const waste = img.waste;
  if (waste === undefined || waste.top.length === 0) return [];
  const out = ["", style.bold(`wasted space (${formatBytes(img.sizes.wasted)})`)];
  const rows = waste.top.map((w) => [formatBytes(w.bytes), wastedPathLine(w)]);
  if (waste.rest.bytes > 0) rows.push([formatBytes(waste.rest.bytes), `${waste.rest.files} other file${waste.rest.files === 1 ? "" : "s"}`]);
  out.push(...table(rows, new Set([0])).split("\n").map((l) => `  ${l}`));
  return out;
}

/** "fix first": the few changes that remove the most severe findings, each with its rule's fix. */
export function fixFirstSection(r: Report, style: Style): string[] {
  const actions = fixFirst(r.findings, r.image.layers);
  if (actions.length === 0) return [];
  const out = ["", style.bold("fix first")];
  actions.forEach((a, i) => {
    const sev = style.severity(a.severity, a.severity.toUpperCase().padEnd(8));
    const n = a.count === 1 ? "" : `, ${a.count} findings`;
    out.push(`  ${i + 1}. ${sev} ${printable(fixActionLine(a))} ${style.dim(`[${a.ruleId}${n}]`)}`);
    if (a.fix !== undefined) out.push(style.dim(`              ${printable(a.fix)}`));
  });
  return out;
}
