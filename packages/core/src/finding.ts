/**
 * Report categories: fixed names. "analysis" holds what the scan itself
 * could not see or decide (analysis.ts).
 */
export const CATEGORIES = [
  "setuid",
  "setgid",
  "capability",
  "shell",
  "package-manager",
  "interpreter",
  "download-tool",
  "network-tool",
  "secret",
  "user",
  "account",
  "config",
  "permissions",
  "analysis",
] as const;
export type Category = (typeof CATEGORIES)[number];

export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/**
 * Past the per-rule limit, the rest of a rule's findings as one: how many,
 * and a few of their paths (bound-findings.ts). The gate counts them.
 */
export interface FindingAggregate {
  /** Findings this one stands for. */
  count: number;
  /** Of which in the final image. */
  inFinalImage: number;
  bySeverity: Partial<Record<Severity, number>>;
  /** A few of their paths, in report order. */
  samplePaths: string[];
}

/** One thing the scan tells a user. Evidence never holds a raw secret: redact to a short prefix. */
export interface Finding {
  /** Stable, kebab-case: "setuid-binary", "secret-private-key". */
  ruleId: string;
  category: Category;
  severity: Severity;
  message: string;
  /** Absolute path in the image, for findings about a file. */
  path?: string | undefined;
  /** Index of the layer that added it; null for config findings. */
  layer: number | null;
  /**
   * Whether that layer is the base image's or one the user added (report
   * image.base says how the base was found); config findings are "app".
   * Absent when the scan could not tell.
   */
  layerRole?: "base" | "app" | undefined;
  /** False: deleted or overwritten by a later layer, yet still shipped. */
  inFinalImage: boolean;
  evidence?: Record<string, unknown> | undefined;
  /** Only on the one finding that stands for a rule's findings past the report limit. */
  aggregate?: FindingAggregate | undefined;
}

/** How many findings `f` stands for (1 unless it aggregates). */
export function findingCount(f: Finding): number {
  return f.aggregate?.count ?? 1;
}
