/** The markdown report's summaries: where the wasted bytes are, and what to fix first. */
import type { Report } from "../report.js";
import { formatSize } from "../policy/size.js";
import { fixActionLine, fixFirst } from "../summary/fix-first.js";
import { mdCell, mdText } from "./markdown.js";

/** "Wasted space": a table of the top wasted paths, like dive's top wasted files. */
export function markdownWaste(img: Report["image"]): string[] {
  const waste = img.waste;
  if (waste === undefined || waste.top.length === 0) return [];
  const out = [`### Wasted space (${formatSize(img.sizes.wasted)})`, "", "| size | path | added in | removed in |", "|---:|---|---|---|"];
  for (const w of waste.top) {
    const what = w.kind === "file" ? `\`${mdCell(w.path)}\`` : `\`${mdCell(w.path)}\` (${w.files} files)`;
    const how = w.how === "overwrite" ? "overwritten in" : w.how === "opaque" ? "hidden (opaque) in" : "deleted in";
    out.push(`| ${formatSize(w.bytes)} | ${what} | layer ${w.addedIn} | ${how} layer ${w.removedIn} |`);
  }
  if (waste.rest.bytes > 0) out.push(`| ${formatSize(waste.rest.bytes)} | ${waste.rest.files} other files | | |`);
  out.push("");
  return out;
}

/** "Fix first": a numbered list of the changes that remove the most severe findings, each with its fix. */
export function markdownFixFirst(report: Report): string[] {
  const actions = fixFirst(report.findings, report.image.layers);
  if (actions.length === 0) return [];
  const out = ["### Fix first", ""];
  actions.forEach((a, i) => {
    const n = a.count === 1 ? "" : `, ${a.count} findings`;
    out.push(`${i + 1}. **${a.severity}** ${mdText(fixActionLine(a))} (\`${a.ruleId}\`${n})`);
    // The rule's fix is the catalogue's own markdown (code spans for commands); the line above holds image paths, escaped.
    if (a.fix !== undefined) out.push(`   ${a.fix}`);
  });
  out.push("");
  return out;
}
