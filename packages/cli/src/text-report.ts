import { CATEGORY_TITLES, type Finding, type Report } from "@layerlint/core";
import { compressedCell, compressedNote, compressedPhrase, formatBytes, table } from "./format.js";
import type { Style } from "./style.js";
import { printable } from "./printable.js";
import { findingGateTag, gateSection } from "./gate-table.js";

/** The human report: findings grouped by category, most severe group first, then sizes and a summary. */
export function textReport(r: Report, style: Style): string {
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
  out.push("");

  const groups = new Map<string, Finding[]>();
  for (const f of r.findings) {
    const g = groups.get(f.category) ?? [];
    g.push(f);
    groups.set(f.category, g);
  }
  // Findings arrive most severe first, so groups keep that order.
  for (const [category, fs] of groups) {
    out.push(style.bold(`${CATEGORY_TITLES[category] ?? category} (${fs.length})`));
    for (const f of fs) {
      const sev = style.severity(f.severity, f.severity.toUpperCase().padEnd(8));
      const where = f.layer === null ? "" : style.dim(` [layer ${f.layer}${f.inFinalImage ? "" : ", deleted later but still shipped"}]`);
      out.push(`  ${sev} ${printable(f.message)}${where}${findingGateTag(f, style)}`);
    }
    out.push("");
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
  out.push("");
  const s = r.summary.bySeverity;
  out.push(
    `${r.summary.total} findings (critical ${s.critical}, high ${s.high}, medium ${s.medium}, low ${s.low}, info ${s.info}); ` +
      `size ${compressedPhrase(img.sizes)}, ${formatBytes(img.sizes.uncompressed)} uncompressed, ` +
      `${formatBytes(img.sizes.wasted)} wasted, ${img.sizes.files} files in ${img.layers.length} layers`,
  );
  out.push(...gateSection(r, style));
  return `${out.join("\n")}\n`;
}
