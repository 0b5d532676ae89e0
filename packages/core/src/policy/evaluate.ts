/**
 * The gate: a report and a policy in, `{passed, checks}` out, one
 * check per rule the policy sets, each with its actual value and limit, so
 * a failure says exactly which limit failed and by how much.
 *
 * Findings pass through two filters before the finding-based checks
 * (forbid-*, require-non-root, fail-on) see them: active ignores, then the
 * baseline (only new findings count). Size and provenance checks ignore both.
 *
 * Counts are exact although the report's list is bounded: a finding that
 * aggregates a rule's findings past the report limit counts as all of them
 * (bound-findings.ts).
 *
 * Fail closed: a check named in the `affects` of a gap of report.analysis
 * (analysis.ts) fails, whatever the findings say, unless every finding of
 * that gap's rule was ignored or is in the baseline.
 */
import { findingCount, severityRank, SEVERITIES, type Category, type Finding, type Severity } from "../finding.js";
import { basename } from "../paths.js";
import { toolPaths } from "../analyzers/tool-catalog.js";
import type { Report } from "../report.js";
import { compareBaseline, type Baseline, type BaselineState } from "./baseline.js";
import { findingFingerprint } from "./fingerprint.js";
import { ignoreMatchers, type IgnoreStatus } from "./ignores.js";
import { allowedRegistriesCheck, forbidLatestCheck, requireDigestCheck } from "./provenance.js";
import { FORBID_CATEGORIES, type ForbidCategory, type Policy } from "./schema.js";
import { sizeChecks, type GateCheck } from "./size-checks.js";

export { isBinarySize, type GateCheck } from "./size-checks.js";

/** What the gate decided about one finding (parallel to report.findings). */
export interface FindingGateState {
  fingerprint: string;
  /** Present when a baseline was given. */
  baselineState?: BaselineState | undefined;
  /** Present when an active ignore matched it. */
  suppressed?: { kind: "ignore"; reason: string } | undefined;
}

export interface GateResult {
  passed: boolean;
  checks: GateCheck[];
  ignores: IgnoreStatus[];
  findings: FindingGateState[];
}

export interface EvaluateOptions {
  /** For ignore expiry; default: the current time. */
  now?: Date | undefined;
  baseline?: Baseline | undefined;
}

const FORBID_MAP: Readonly<Record<ForbidCategory, readonly Category[]>> = {
  shell: ["shell"],
  "package-manager": ["package-manager"],
  interpreter: ["interpreter"],
  "download-tool": ["download-tool"],
  "network-tool": ["network-tool"],
  // A setgid binary is the same escalation path through a group.
  setuid: ["setuid", "setgid"],
  capability: ["capability"],
};

const NOUNS: Readonly<Record<ForbidCategory, [string, string]>> = {
  shell: ["shell", "shells"],
  "package-manager": ["package manager", "package managers"],
  interpreter: ["interpreter", "interpreters"],
  "download-tool": ["download tool", "download tools"],
  "network-tool": ["network tool", "network tools"],
  setuid: ["setuid/setgid file", "setuid/setgid files"],
  capability: ["file with capabilities", "files with capabilities"],
};

/**
 * tools.allow for one path of a finding: a name matches the tool that path
 * runs as or its file name; "/…" is that exact path.
 */
function allowsPath(p: { path: string; tool: string }, allow: readonly string[]): boolean {
  return allow.some((a) => (a.startsWith("/") ? a === p.path : a === p.tool || a === basename(p.path)));
}

/**
 * The paths of `f` no tools.allow entry covers. A tool finding stands for
 * every path that reaches one binary or applet (evidence.paths): each is
 * judged alone, as when each was its own finding, so allowing
 * /usr/bin/wget does not allow `busybox wget` on /bin/busybox.
 */
export function unallowedPaths(f: Finding, allow: readonly string[]): string[] {
  const paths = toolPaths(f);
  if (paths.length === 0) return allowMatchesOne(f, allow) ? [] : [f.message];
  return paths.filter((p) => !allowsPath(p, allow)).map((p) => p.path);
}

function allowMatchesOne(f: Finding, allow: readonly string[]): boolean {
  const tool = f.evidence?.["tool"];
  return allow.some((a) => !a.startsWith("/") && a === tool);
}

/** tools.allow: every path of the finding is allowed (unallowedPaths). */
export function allowMatches(f: Finding, allow: readonly string[]): boolean {
  return unallowedPaths(f, allow).length === 0;
}

function list(items: readonly string[], max = 50): string {
  return items.length <= max ? items.join(", ") : `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}

function findingLabel(f: Finding): string {
  return f.path !== undefined ? `${f.ruleId} ${f.path}` : `${f.ruleId} (${f.message})`;
}

export function evaluatePolicy(report: Report, policy: Policy, options: EvaluateOptions = {}): GateResult {
  const now = options.now ?? new Date();
  const checks: GateCheck[] = [];
  const img = report.image;

  // --- findings: ignores, then baseline
  const matchers = ignoreMatchers(policy.ignore ?? [], now);
  const matched = matchers.map(() => 0);
  const fingerprints = report.findings.map((f) => findingFingerprint(f));
  const baselineStates = options.baseline ? compareBaseline(report.findings, options.baseline, fingerprints) : undefined;
  const states: FindingGateState[] = report.findings.map((f, i) => {
    const state: FindingGateState = { fingerprint: fingerprints[i]! };
    if (baselineStates) state.baselineState = baselineStates[i];
    const k = matchers.findIndex((m) => !m.expired && m.matches(f));
    if (k >= 0) {
      matched[k]!++;
      state.suppressed = { kind: "ignore", reason: matchers[k]!.rule.reason };
    }
    return state;
  });
  const gating = report.findings.filter((_, i) => states[i]!.suppressed === undefined && states[i]!.baselineState !== "unchanged");
  const newWord = options.baseline ? "new " : "";

  // --- size
  if (policy.size !== undefined) checks.push(...sizeChecks(img, policy.size));

  // --- tools
  const allow = policy.tools?.allow ?? [];
  const forbid = FORBID_CATEGORIES.filter((c) => policy.tools?.forbid?.includes(c));
  for (const cat of forbid) {
    const cats = FORBID_MAP[cat];
    const hits = gating.filter((f) => (f.aggregate ? f.aggregate.inFinalImage > 0 : f.inFinalImage) && cats.includes(f.category));
    // Aggregated findings are past the report limit: their paths are not all known, so none is allowed.
    const bad = hits.filter((f) => f.aggregate !== undefined || !allowMatches(f, allow));
    // Every path that reaches a forbidden tool is named, not only each finding's own.
    const listed = [...new Set(bad.flatMap((f) => (f.aggregate ? [] : unallowedPaths(f, allow))))];
    const unlisted = bad.reduce((n, f) => n + (f.aggregate?.inFinalImage ?? 0), 0);
    const count = listed.length + unlisted;
    const allowedPaths = new Set(hits.flatMap((f) => (f.aggregate ? [] : toolPaths(f).map((p) => p.path))));
    for (const p of listed) allowedPaths.delete(p);
    const allowed = allowedPaths.size;
    const [one, many] = NOUNS[cat];
    const note = allowed > 0 ? ` (${allowed} allowed)` : "";
    const more = unlisted > 0 ? ` and ${unlisted} more past the report limit` : "";
    checks.push({
      id: `forbid-${cat}`,
      passed: count === 0,
      actual: count,
      limit: 0,
      message: count === 0 ? `no ${newWord}${one} in the final image${note}` : `${count} ${newWord}${count === 1 ? one : many}: ${list(listed, 200)}${more}${note}`,
    });
  }

  // --- user
  if (policy.user?.requireNonRoot) {
    const root = gating.filter((f) => f.ruleId === "root-user");
    checks.push({
      id: "require-non-root",
      passed: root.length === 0,
      actual: img.user === "" ? "root (no USER)" : img.user,
      limit: "non-root",
      message: root.length === 0 ? `runs as ${JSON.stringify(img.user)}, not root` : root.map((f) => f.message).join("; "),
    });
  }

  // --- provenance
  const prov = policy.provenance ?? {};
  if (prov.requireDigest) checks.push(requireDigestCheck(report));
  if (prov.forbidLatest) checks.push(forbidLatestCheck(report));
  if (prov.allowedRegistries !== undefined) checks.push(allowedRegistriesCheck(report, prov.allowedRegistries));

  // --- findings threshold; a baseline alone fails on any new finding
  const failOn: Severity | undefined = policy.findings?.failOn ?? (options.baseline ? "info" : undefined);
  if (failOn !== undefined) {
    const atOrAbove = (s: Severity) => severityRank(s) >= severityRank(failOn);
    const over = gating.filter((f) => (f.aggregate ? SEVERITIES.some((s) => atOrAbove(s) && (f.aggregate!.bySeverity[s] ?? 0) > 0) : atOrAbove(f.severity)));
    const n = over.reduce((k, f) => k + (f.aggregate ? SEVERITIES.reduce((m, s) => m + (atOrAbove(s) ? (f.aggregate!.bySeverity[s] ?? 0) : 0), 0) : findingCount(f)), 0);
    const id = policy.findings?.failOn !== undefined ? "fail-on" : "new-findings";
    const at = failOn === "info" ? "" : ` at or above ${failOn}`;
    checks.push({
      id,
      passed: n === 0,
      actual: n,
      limit: 0,
      message:
        n === 0
          ? `no ${newWord}findings${at}`
          : `${n} ${newWord}finding${n > 1 ? "s" : ""}${at}: ${list(over.map(findingLabel), 20)}`,
    });
  }

  const gatingSet = new Set(gating);
  failGaps(report, checks, new Set(report.findings.filter((f) => !gatingSet.has(f))));

  const ignores: IgnoreStatus[] = matchers.map((m, k) => ({
    ...(m.rule.ruleId !== undefined ? { ruleId: m.rule.ruleId } : {}),
    ...(m.rule.path !== undefined ? { path: m.rule.path } : {}),
    reason: m.rule.reason,
    ...(m.rule.expires !== undefined ? { expires: m.rule.expires } : {}),
    status: m.expired ? "expired" : "active",
    matched: matched[k]!,
  }));
  return { passed: checks.every((c) => c.passed), checks, ignores, findings: states };
}

/**
 * Fails every check a gap affects. A gap whose rule's findings were all
 * ignored or baselined (`excused`) no longer counts: the user accepted it.
 */
function failGaps(report: Report, checks: GateCheck[], excused: ReadonlySet<Finding>): void {
  const excusedRules = new Set([...excused].map((f) => f.ruleId));
  const live = new Set(report.findings.filter((f) => !excused.has(f)).map((f) => f.ruleId));
  for (const gap of report.analysis?.gaps ?? []) {
    if (excusedRules.has(gap.ruleId) && !live.has(gap.ruleId)) continue;
    for (const c of checks) {
      if (!gap.affects.includes(c.id)) continue;
      const why = `the scan could not decide (${gap.ruleId}): ${gap.message}`;
      c.message = c.passed ? `fails closed: ${why}` : `${c.message}; also ${why}`;
      c.passed = false;
    }
  }
}
