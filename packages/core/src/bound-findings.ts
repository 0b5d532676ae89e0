/**
 * Findings are bounded: past MAX_FINDINGS_PER_RULE findings of one rule (and
 * category), the rest become one finding that carries their count, their
 * severities, how many are in the final image and a few sample paths. One
 * million entries written through a symlinked parent then give a report of
 * a few hundred findings, not half a gigabyte of JSON, and the gate still
 * counts every one of them (FindingAggregate; policy/evaluate.ts).
 *
 * Input must be sorted (scan.ts sortFindings: most severe first), so the
 * findings kept are the most severe of their rule.
 */
import { severityRank, type Finding, type FindingAggregate, type Severity } from "./finding.js";

export const MAX_FINDINGS_PER_RULE = 200;
/** Paths an aggregate finding shows. */
export const SAMPLE_PATHS = 5;

interface Rest {
  first: Finding;
  agg: FindingAggregate;
  severity: Severity;
}

function add(rest: Rest, f: Finding): void {
  const a = rest.agg;
  if (f.aggregate !== undefined) {
    a.count += f.aggregate.count;
    a.inFinalImage += f.aggregate.inFinalImage;
    for (const [s, n] of Object.entries(f.aggregate.bySeverity) as [Severity, number][]) a.bySeverity[s] = (a.bySeverity[s] ?? 0) + n;
    for (const p of f.aggregate.samplePaths) if (a.samplePaths.length < SAMPLE_PATHS) a.samplePaths.push(p);
  } else {
    a.count++;
    if (f.inFinalImage) a.inFinalImage++;
    a.bySeverity[f.severity] = (a.bySeverity[f.severity] ?? 0) + 1;
    if (f.path !== undefined && a.samplePaths.length < SAMPLE_PATHS) a.samplePaths.push(f.path);
  }
  if (severityRank(f.severity) > severityRank(rest.severity)) rest.severity = f.severity;
}

/**
 * The findings, at most `limit` per (ruleId, category) plus one aggregate
 * each for the rest; order kept, that aggregate last of its rule.
 */
export function boundFindings(sorted: readonly Finding[], limit = MAX_FINDINGS_PER_RULE): Finding[] {
  const kept = new Map<string, number>();
  const rests = new Map<string, Rest>();
  const out: Finding[] = [];
  for (const f of sorted) {
    const key = `${f.ruleId}\0${f.category}`;
    const n = kept.get(key) ?? 0;
    // An analyzer's own aggregate (permissions.ts: the unsafe entries past
    // those listed) keeps its words while the rule has room: it is one finding.
    if (n < limit) {
      kept.set(key, n + 1);
      out.push(f);
      continue;
    }
    let rest = rests.get(key);
    if (rest === undefined) {
      rest = { first: f, severity: f.severity, agg: { count: 0, inFinalImage: 0, bySeverity: {}, samplePaths: [] } };
      rests.set(key, rest);
    }
    add(rest, f);
  }
  for (const { first, agg, severity } of rests.values()) out.push(aggregateFinding(first, agg, severity, limit));
  return out;
}

function aggregateFinding(first: Finding, agg: FindingAggregate, severity: Severity, limit: number): Finding {
  const some = agg.samplePaths.length > 0 ? `, such as ${agg.samplePaths.join(", ")}` : "";
  return {
    ruleId: first.ruleId,
    category: first.category,
    severity,
    message: `${agg.count} more ${first.ruleId} finding${agg.count === 1 ? "" : "s"} past the report's limit of ${limit} per rule${some}`,
    layer: null,
    inFinalImage: agg.inFinalImage > 0,
    aggregate: agg,
  };
}
