import { printable } from "./printable.js";

/** 1234567 → "1.2 MB" (SI, as registries and dive print sizes). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${Math.round(n)} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/**
 * Left-aligned columns for plain-text tables; no ANSI codes. Every cell is
 * made printable here (cells often hold image content: paths, created_by),
 * so callers pass raw text.
 */
export function table(cells: string[][], rightAlign: ReadonlySet<number> = new Set()): string {
  const rows = cells.map((r) => r.map(printable));
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 && !rightAlign.has(i) ? c : rightAlign.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
        .join("  "),
    )
    .join("\n");
}

type CompressedKind = "stored" | "estimated" | "unknown";

/** A layer's compressed size in a table: "12 MB", "~4.1 MB" (an estimate) or "unknown" (stored uncompressed). */
export function compressedCell(l: { compressedSize: number; compressedSizeKind?: CompressedKind }): string {
  if (l.compressedSizeKind === "unknown") return "unknown";
  return `${l.compressedSizeKind === "estimated" ? "~" : ""}${formatBytes(l.compressedSize)}`;
}

/** The image's compressed size in a sentence, saying what it is when it is not the stored blobs. */
export function compressedPhrase(s: { compressed: number; stored?: number; compressedKind?: CompressedKind }): string {
  if (s.compressedKind === "unknown") return `${formatBytes(s.stored ?? s.compressed)} stored (compressed size unknown)`;
  if (s.compressedKind === "estimated") return `~${formatBytes(s.compressed)} compressed (estimated)`;
  return `${formatBytes(s.compressed)} compressed`;
}

/** The line under a layer table that explains "~" and "unknown", when a cell shows one. */
export function compressedNote(layers: readonly { compressedSizeKind?: CompressedKind }[]): string[] {
  const notes: string[] = [];
  if (layers.some((l) => l.compressedSizeKind === "estimated")) {
    notes.push("~: estimated, gzip -6 of a layer stored uncompressed (as docker push compresses it)");
  }
  if (layers.some((l) => l.compressedSizeKind === "unknown")) {
    notes.push("unknown: stored uncompressed (as docker save writes layers); a scan with --max-compressed or --max-layer-size estimates it");
  }
  return notes;
}
