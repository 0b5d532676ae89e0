/** Report categories: fixed names (DESIGN.md §3). */
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
] as const;
export type Category = (typeof CATEGORIES)[number];

export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/**
 * One thing the scan tells a user (DESIGN.md §3). Evidence never holds a raw
 * secret: redact to a short prefix.
 */
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
  /** False: deleted or overwritten by a later layer, yet still shipped. */
  inFinalImage: boolean;
  evidence?: Record<string, unknown> | undefined;
}
