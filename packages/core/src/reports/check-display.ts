/**
 * How gate checks read in tables (text, markdown, JUnit): actual and limit
 * as short strings, failures first.
 */
import { isBinarySize, type GateCheck } from "../policy/evaluate.js";
import { formatSize } from "../policy/size.js";
import type { Category } from "../finding.js";

/** The size checks whose actual and limit are byte counts (not counts, percentages or ratios). */
const BYTE_SIZE_IDS = new Set(["max-compressed", "max-uncompressed", "max-layer-size", "max-wasted"]);

/**
 * What a gate check is about, by id. The one place checks are classified:
 * JUnit uses it as the testcase class, SARIF to decide which failing checks
 * no finding carries (size and provenance become `gate-*` results).
 * "forbid-latest" is provenance, not a tool ban.
 */
export type CheckGroup = "size" | "tools" | "user" | "provenance" | "findings";

export function checkGroup(id: string): CheckGroup {
  if (id.startsWith("max-") || id.startsWith("min-")) return "size";
  if (id === "require-digest" || id === "forbid-latest" || id === "allowed-registries") return "provenance";
  if (id.startsWith("forbid-")) return "tools";
  if (id === "require-non-root") return "user";
  return "findings";
}

export function checkCells(c: Pick<GateCheck, "id" | "actual" | "limit" | "actualKind">): { actual: string; limit: string } {
  if (BYTE_SIZE_IDS.has(c.id) && typeof c.limit === "number") {
    const bin = isBinarySize(c.limit);
    const limit = formatSize(c.limit, bin);
    // An estimate reads "~322 MB"; a size the scan does not have, "unknown".
    if (c.actualKind === "unknown" || typeof c.actual !== "number") return { actual: "unknown", limit };
    return { actual: `${c.actualKind === "estimated" ? "~" : ""}${formatSize(c.actual, bin)}`, limit };
  }
  if (c.id === "max-wasted-percent") return { actual: `${String(c.actual)}%`, limit: `${String(c.limit)}%` };
  if (c.id === "min-efficiency") return { actual: String(c.actual), limit: `≥ ${String(c.limit)}` };
  return { actual: cell(c.actual), limit: cell(c.limit) };
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "string" && /^sha256:[0-9a-f]{64}$/.test(v)) return `${v.slice(0, 19)}…`;
  if (Array.isArray(v)) return v.map(String).join(", ");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** Failures first, otherwise in policy order (stable). */
export function failuresFirst<T extends { passed: boolean }>(checks: readonly T[]): T[] {
  return [...checks.filter((c) => !c.passed), ...checks.filter((c) => c.passed)];
}

const TITLES: Readonly<Record<Category, string>> = {
  setuid: "setuid binaries",
  setgid: "setgid binaries",
  capability: "file capabilities",
  shell: "shells",
  "package-manager": "package managers",
  interpreter: "interpreters",
  "download-tool": "download tools",
  "network-tool": "network tools",
  secret: "secrets",
  user: "user",
  account: "accounts",
  config: "config",
  permissions: "permissions",
  analysis: "analysis gaps",
};

/** Section titles by finding category (every Category has one; the compiler checks). */
export const CATEGORY_TITLES: Readonly<Record<string, string>> = TITLES;

/** How long a check's details may be in a table cell before they are summarised. */
export const DETAILS_WIDTH = 120;

/**
 * A check's message for a table cell: a long list ("15 findings at or
 * above high: a, b, …") keeps its head and the items that fit, then says
 * how many more there are. The report's JSON (and JUnit) keep the whole
 * message.
 */
export function summariseDetails(message: string, width = DETAILS_WIDTH): string {
  if (message.length <= width) return message;
  const colon = message.indexOf(": ");
  if (colon < 0 || colon + 2 >= width) return `${message.slice(0, width - 1)}…`;
  const head = message.slice(0, colon + 2);
  const items = message.slice(colon + 2).split(", ");
  let extra = 0;
  let tail = "";
  const m = / and (\d+) more(.*)$/.exec(items[items.length - 1]!);
  if (m !== null) {
    items[items.length - 1] = items[items.length - 1]!.slice(0, m.index);
    extra = Number(m[1]);
    tail = m[2]!;
  }
  let kept = 0;
  let len = head.length;
  for (const item of items) {
    const rest = items.length - kept - 1 + extra;
    const more = rest > 0 ? ` and ${rest} more` : "";
    if (len + (kept > 0 ? 2 : 0) + item.length + more.length + tail.length > width && kept > 0) break;
    len += (kept > 0 ? 2 : 0) + item.length;
    kept++;
  }
  const rest = items.length - kept + extra;
  return `${head}${items.slice(0, kept).join(", ")}${rest > 0 ? ` and ${rest} more` : ""}${tail}`;
}
