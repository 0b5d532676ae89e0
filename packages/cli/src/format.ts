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
