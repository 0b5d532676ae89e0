import { CATEGORY_TITLES, baseLine, roleSections, whereLabel, findingsPhrase, ignoredCount, withoutIgnored, type Finding, type Report } from "@layerlint/core";
import { compressedCell, compressedNote, compressedPhrase, formatBytes, table } from "./format.js";
import type { Style } from "./style.js";
import { printable } from "./printable.js";
import { findingGateTag, gateSection } from "./gate-table.js";
import { fixFirstSection, wasteSection } from "./summary-text.js";

/** The human report: findings grouped by category, most severe group first, then layers, wasted space, a summary line, the gate and what to fix first. */
export function textReport(r: Report, style: Style, opts: { hideIgnored?: boolean } = {}): string {
  const out: string[] = [];
  const img = r.image;
  out.push(style.bold(printable(img.input)) + style.dim(` (${img.source}, ${printable(img.platform)})`));
  out.push(img.indexDigest ? `index    ${img.indexDigest}\nmanifest ${img.manifestDigest} (${printable(img.platform)})` : `manifest ${img.manifestDigest}`);
  if (img.reference) out.push(`reference ${img.reference}  pinned: ${img.pinnedReference}`);
  const os = img.os ? `${img.os.prettyName ?? `${img.os.id} ${img.os.versionId ?? ""}`}` : "unknown OS";
  const reasons = img.baseClass.reasons.length ? ` (${img.baseClass.reasons.join("; ")})` : "";
  out.push(printable(`os ${os}, base ${img.baseClass.class}${reasons}`));
  // JSON.stringify escapes C0 controls but not DEL or C1 (\x9b is a CSI).
  out.push(printable(`user ${JSON.stringify(img.user)}`));
  out.push(printable(`base ${baseLine(img.base, img.layers.length)}`));
  out.push("");

  // The user's own layers first (what they can fix), then the base image's.
  for (const section of roleSections(opts.hideIgnored === true ? withoutIgnored(r.findings) : r.findings, img.base)) {
    if (section.title !== undefined) out.push(style.bold(`findings ${section.title}`), "");
    const groups = new Map<string, Finding[]>();
    for (const f of section.findings) {
      const g = groups.get(f.category) ?? [];
      g.push(f);
      groups.set(f.category, g);
    }
    // Findings arrive most severe first, so groups keep that order.
    for (const [category, fs] of groups) {
      out.push(style.bold(`${CATEGORY_TITLES[category] ?? category} (${fs.length})`));
      // The rule ID, as dockle and trivy show it: what --ignore and the policy's ignores name. Padded per group so messages align.
      const idWidth = Math.max(...fs.map((f) => f.ruleId.length));
      for (const f of fs) {
        const sev = style.severity(f.severity, f.severity.toUpperCase().padEnd(8));
        const label = [whereLabel(f), f.inFinalImage ? undefined : "deleted later but still shipped"].filter((s) => s !== undefined);
        const where = label.length === 0 ? "" : style.dim(` [${label.join(", ")}]`);
        out.push(`  ${sev} ${f.ruleId.padEnd(idWidth)}  ${printable(f.message)}${where}${findingGateTag(f, style)}`);
      }
      out.push("");
    }
  }

  out.push(style.bold("layers"));
  out.push(
    table(
      [
        ["#", "compressed", "uncompressed", "files", "created by"],
        ...img.layers.map((l) => [
          String(l.index),
          compressedCell(l),
          formatBytes(l.uncompressedSize),
          String(l.files),
          (l.createdBy ?? "").replace(/\s+/g, " ").slice(0, 60),
        ]),
      ],
      new Set([1, 2, 3]),
    ),
  );
  out.push(...compressedNote(img.layers).map((n) => style.dim(n)));
  out.push(...wasteSection(img, style));
  out.push("");
  const s = r.summary.bySeverity;
  out.push(
    `${findingsPhrase(r.summary.total, ignoredCount(r.findings), opts.hideIgnored === true)} (critical ${s.critical}, high ${s.high}, medium ${s.medium}, low ${s.low}, info ${s.info}); ` +
      `size ${compressedPhrase(img.sizes)}, ${formatBytes(img.sizes.uncompressed)} uncompressed, ` +
      `${formatBytes(img.sizes.wasted)} wasted, ${img.sizes.files} files in ${img.layers.length} layers`,
  );
  out.push(...gateSection(r, style));
  out.push(...fixFirstSection(r, style));
  return `${out.join("\n")}\n`;
}
