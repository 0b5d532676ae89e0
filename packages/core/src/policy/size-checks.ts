/**
 * The size checks of the gate. The compressed-size checks (max-compressed,
 * max-layer-size) read what each layer's compressedSizeKind says the
 * compressed size is (layer-sizes.ts): the stored blob, gzip -6's estimate
 * for a layer stored uncompressed (said so in the message and in
 * `actualKind`), or nothing known, and then the check fails closed with a
 * message that says why. A stored uncompressed size is never compared as
 * if it were a compressed one.
 */
import type { Report } from "../report.js";
import type { Policy } from "./schema.js";
import { formatSize } from "./size.js";

export interface GateCheck {
  /** Stable, kebab-case: "max-compressed", "forbid-shell", "fail-on"… */
  id: string;
  passed: boolean;
  actual: unknown;
  limit: unknown;
  message: string;
  /** Size checks: `actual` is an estimate, or unknown (null, failed closed). */
  actualKind?: "estimated" | "unknown" | undefined;
}

type Image = Report["image"];
type Layer = Image["layers"][number];

/** Size limits are shown back in the unit family they were probably written in. */
export function isBinarySize(n: number): boolean {
  return n % 1000 !== 0 && n % 1024 === 0;
}

function sizeCheck(id: string, what: string, actual: number, limit: number, note = ""): GateCheck {
  const bin = isBinarySize(limit);
  const a = formatSize(actual, bin);
  const l = formatSize(limit, bin);
  const passed = actual <= limit;
  return {
    id,
    passed,
    actual,
    limit,
    message: passed ? `${what} ${a}${note} is within ${l}` : `${what} ${a}${note} exceeds ${l} by ${formatSize(actual - limit, bin)}`,
  };
}

/** Kind of a layer's compressed size; reports from before the field count as stored. */
const kindOf = (l: Layer) => l.compressedSizeKind ?? "stored";

const ESTIMATED = " (estimated: gzip -6 of layers stored uncompressed, as docker push compresses them)";

/** The check that cannot be decided: `n` layers are stored uncompressed and were not estimated. */
function unknownCheck(id: string, limit: number, unknown: readonly Layer[]): GateCheck {
  const stored = unknown.reduce((s, l) => s + (l.storedSize ?? l.compressedSize), 0);
  const which = unknown.length === 1 ? `layer #${unknown[0]!.index} is` : `${unknown.length} layers (#${unknown.map((l) => l.index).join(", #")}) are`;
  return {
    id,
    passed: false,
    actual: null,
    limit,
    actualKind: "unknown",
    message:
      `fails closed: compressed size unknown: ${which} stored uncompressed (${formatSize(stored, isBinarySize(limit))} as stored) ` +
      "and the scan did not estimate their gzip size (ScanOptions.estimateCompressedSize; the CLI sets it for this rule)",
  };
}

function maxCompressed(img: Image, limit: number): GateCheck {
  const unknown = img.layers.filter((l) => kindOf(l) === "unknown");
  if (unknown.length > 0) return unknownCheck("max-compressed", limit, unknown);
  const estimated = img.layers.some((l) => kindOf(l) === "estimated");
  const c = sizeCheck("max-compressed", "compressed size", img.sizes.compressed, limit, estimated ? ESTIMATED : "");
  return estimated ? { ...c, actualKind: "estimated" } : c;
}

function maxLayerSize(img: Image, limit: number): GateCheck {
  const unknown = img.layers.filter((l) => kindOf(l) === "unknown");
  if (unknown.length > 0) return unknownCheck("max-layer-size", limit, unknown);
  const bin = isBinarySize(limit);
  const largest = img.layers.reduce((m, l) => Math.max(m, l.compressedSize), 0);
  const over = img.layers.filter((l) => l.compressedSize > limit);
  const estimated = img.layers.some((l) => kindOf(l) === "estimated");
  const shown = (l: Layer) => `${kindOf(l) === "estimated" ? "~" : ""}${formatSize(l.compressedSize, bin)}`;
  const note = estimated ? ESTIMATED : "";
  return {
    id: "max-layer-size",
    passed: over.length === 0,
    actual: largest,
    limit,
    ...(estimated ? { actualKind: "estimated" as const } : {}),
    message:
      over.length === 0
        ? `largest layer ${formatSize(largest, bin)} compressed${note} is within ${formatSize(limit, bin)}`
        : `${over.length} layer${over.length > 1 ? "s" : ""} over ${formatSize(limit, bin)} compressed${note}: ` +
          over.map((l) => `#${l.index} ${shown(l)}${l.createdBy ? ` (${l.createdBy.replace(/\s+/g, " ").slice(0, 60)})` : ""}`).join(", "),
  };
}

/** One check per size rule the policy sets, in the policy's order. */
export function sizeChecks(img: Image, size: NonNullable<Policy["size"]>): GateCheck[] {
  const checks: GateCheck[] = [];
  if (size.maxCompressed !== undefined) checks.push(maxCompressed(img, size.maxCompressed));
  if (size.maxUncompressed !== undefined) checks.push(sizeCheck("max-uncompressed", "uncompressed size", img.sizes.uncompressed, size.maxUncompressed));
  if (size.maxLayers !== undefined) {
    const n = img.layers.length;
    checks.push({
      id: "max-layers",
      passed: n <= size.maxLayers,
      actual: n,
      limit: size.maxLayers,
      message: n <= size.maxLayers ? `${n} layers, within ${size.maxLayers}` : `${n} layers exceed ${size.maxLayers} by ${n - size.maxLayers}`,
    });
  }
  if (size.maxLayerSize !== undefined) checks.push(maxLayerSize(img, size.maxLayerSize));
  if (size.maxWasted !== undefined) checks.push(sizeCheck("max-wasted", "wasted", img.sizes.wasted, size.maxWasted));
  // Efficiency as dive defines it, minus dive#684's double count: the
  // wasted bytes are counted once per shadowed file version (FileIndex).
  const ratio = img.sizes.uncompressed === 0 ? 0 : img.sizes.wasted / img.sizes.uncompressed;
  if (size.maxWastedPercent !== undefined) {
    const pct = round(ratio * 100, 2);
    checks.push({
      id: "max-wasted-percent",
      passed: pct <= size.maxWastedPercent,
      actual: pct,
      limit: size.maxWastedPercent,
      message: `${pct}% of the uncompressed size is wasted (${formatSize(img.sizes.wasted)}); limit ${size.maxWastedPercent}%`,
    });
  }
  if (size.minEfficiency !== undefined) {
    const eff = round(1 - ratio, 4);
    checks.push({
      id: "min-efficiency",
      passed: eff >= size.minEfficiency,
      actual: eff,
      limit: size.minEfficiency,
      message:
        eff >= size.minEfficiency
          ? `efficiency ${eff} meets ${size.minEfficiency}`
          : `efficiency ${eff} is below ${size.minEfficiency} (${formatSize(img.sizes.wasted)} wasted of ${formatSize(img.sizes.uncompressed)})`,
    });
  }
  return checks;
}

/** Whether a policy has a rule that reads compressed sizes: a scan for it should estimate them. */
export function wantsCompressedSize(policy: Policy | undefined): boolean {
  return policy?.size?.maxCompressed !== undefined || policy?.size?.maxLayerSize !== undefined;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
