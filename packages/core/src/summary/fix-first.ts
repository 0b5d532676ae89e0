/**
 * "Fix first": the few changes that remove the most severe findings. A
 * change is one rule in one layer (one RUN or COPY line to edit): every
 * finding it groups goes away with it. Ranked by the most severe finding
 * it removes, then by how many; ignored findings are left out (the user
 * already decided about them), and so are analysis gaps, which are about
 * the scan rather than the image.
 */
import { findingCount, severityRank, type Finding, type Severity } from "../finding.js";
import { basename } from "../paths.js";
import type { RuleInfo } from "../analyzers/analyzer.js";
import { allRules } from "../rules/catalogue.js";

/** How many changes a report lists. */
export const FIX_FIRST_MAX = 5;

export interface FixAction {
  ruleId: string;
  /** The most severe finding it removes. */
  severity: Severity;
  /** Findings it removes. */
  count: number;
  /** Null for config findings (no layer). */
  layer: number | null;
  /** What to change, e.g. "remove the setuid bit from /usr/local/bin/hello" or "drop curl, wget". */
  change: string;
  /** Where, e.g. "layer 4, your Dockerfile: `COPY hello /usr/local/bin/`"; absent for config findings. */
  where?: string | undefined;
  /** The rule's fix (RuleInfo.fix), when the rule is documented. */
  fix?: string | undefined;
}

type Finding_ = Finding & { layerRole?: "base" | "app" | undefined; suppressed?: unknown };

interface Layer {
  index: number;
  createdBy: string | null;
}

const TOOL_CATEGORIES = new Set(["shell", "package-manager", "interpreter", "download-tool", "network-tool"]);
const LISTED = 3;

export function fixFirst(
  findings: readonly Finding[],
  layers: readonly Layer[],
  options: { rules?: readonly RuleInfo[]; max?: number } = {},
): FixAction[] {
  const rules = new Map((options.rules ?? allRules).map((r) => [r.id, r]));
  const groups = new Map<string, Finding_[]>();
  for (const f of findings as readonly Finding_[]) {
    if (f.suppressed !== undefined || f.category === "analysis") continue;
    const key = `${f.ruleId}\0${f.layer ?? ""}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [f]);
    else g.push(f);
  }
  const actions = [...groups.values()].map((g) => action(g, layers, rules.get(g[0]!.ruleId)));
  actions.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      b.count - a.count ||
      (a.layer ?? -1) - (b.layer ?? -1) ||
      (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0),
  );
  return actions.slice(0, options.max ?? FIX_FIRST_MAX);
}

function action(g: readonly Finding_[], layers: readonly Layer[], rule: RuleInfo | undefined): FixAction {
  const first = g[0]!;
  let severity = first.severity;
  let count = 0;
  for (const f of g) {
    count += findingCount(f);
    if (severityRank(f.severity) > severityRank(severity)) severity = f.severity;
  }
  const paths = [...new Set(g.flatMap(pathsOf))];
  const out: FixAction = { ruleId: first.ruleId, severity, count, layer: first.layer, change: change(first, g, paths, count) };
  if (first.layer !== null) out.where = where(first, layers);
  if (rule !== undefined) out.fix = rule.fix;
  return out;
}

function pathsOf(f: Finding): string[] {
  const listed = f.evidence?.["paths"];
  if (Array.isArray(listed) && listed.every((p) => typeof p === "string")) return listed as string[];
  if (f.aggregate !== undefined) return f.aggregate.samplePaths;
  return f.path !== undefined ? [f.path] : [];
}

/** "a, b, c and 4 more" */
function names(items: readonly string[], total = items.length): string {
  const shown = items.slice(0, LISTED);
  const more = total - shown.length;
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}

function change(first: Finding_, g: readonly Finding_[], paths: readonly string[], count: number): string {
  const ps = names(paths, Math.max(paths.length, count));
  if (TOOL_CATEGORIES.has(first.category)) {
    const tools = [...new Set(g.map((f) => (typeof f.evidence?.["tool"] === "string" ? (f.evidence["tool"] as string) : f.path !== undefined ? basename(f.path) : f.message)))];
    return `drop ${names(tools)}`;
  }
  if (first.ruleId === "root-user") return "run as a non-root USER";
  if (paths.length > 0) {
    if (first.category === "setuid") return `remove the setuid bit from ${ps}`;
    if (first.category === "setgid") return `remove the setgid bit from ${ps}`;
    if (first.category === "capability") return `remove the file capabilities from ${ps}`;
    if (first.category === "secret") return `remove the secret${count > 1 ? "s" : ""} from ${ps}`;
    if (first.category === "permissions") return `remove the write bit for others from ${ps}`;
  }
  if (g.length === 1 && count === 1) return first.message;
  return `${first.message} (and ${count - 1} more like it)`;
}

/** "layer 4, your Dockerfile: `COPY …`"; tools read "installed in layer 1 by `apt-get …`". */
function where(f: Finding_, layers: readonly Layer[]): string {
  const role = f.layerRole === "app" ? ", your Dockerfile" : f.layerRole === "base" ? ", base image" : "";
  const by = layers.find((l) => l.index === f.layer)?.createdBy;
  const step = by ? shortStep(by) : undefined;
  if (TOOL_CATEGORIES.has(f.category)) {
    const whose = f.layerRole === "app" ? " (your Dockerfile)" : f.layerRole === "base" ? " (base image)" : "";
    return `installed in layer ${f.layer}${whose}${step ? ` by \`${step}\`` : ""}`;
  }
  return `layer ${f.layer}${role}${step ? `: \`${step}\`` : ""}`;
}

/** A created_by line as a reader knows it: without buildkit's `/bin/sh -c` and `#(nop)`, cut to 60 characters. */
export function shortStep(createdBy: string): string {
  const s = createdBy
    .replace(/\s+/g, " ")
    .replace(/^\/bin\/sh -c #\(nop\)\s*/, "")
    .replace(/^\/bin\/sh -c /, "RUN ")
    .replace(/^(RUN )\/bin\/sh -c /, "$1")
    .replace(/ # buildkit$/, "")
    .replace(/\b(file|dir):([0-9a-f]{12})[0-9a-f]{52}\b/g, "$1:$2…")
    .replace(/`/g, "'")
    .trim();
  return s.length > 60 ? `${s.slice(0, 59)}…` : s;
}

/** One line of plain text: "drop curl, wget: installed in layer 1 by `…`", "remove … (layer 4, your Dockerfile)". */
export function fixActionLine(a: FixAction): string {
  if (a.where === undefined) return a.change;
  return a.where.startsWith("installed") ? `${a.change}: ${a.where}` : `${a.change} (${a.where})`;
}
