/**
 * Per-finding ignores (dockle#161 asks for per-path ignores).
 * An ignore matches by ruleId (exact), by path (picomatch glob, dotfiles
 * included) or both. A date `expires: 2027-06-30` applies through the end
 * of that day in UTC; a date-time applies up to that instant. Once expired
 * it stops applying, and the gate lists it as expired.
 */
import picomatch from "picomatch";
import type { Finding } from "../finding.js";
import type { IgnoreRule } from "./schema.js";
import { toolPaths } from "../analyzers/tool-catalog.js";

export interface IgnoreStatus {
  ruleId?: string | undefined;
  path?: string | undefined;
  reason: string;
  expires?: string | undefined;
  status: "active" | "expired";
  /** Findings it suppressed (0 when expired). */
  matched: number;
}

/** The instant after which the ignore no longer applies. */
export function expiryInstant(expires: string): Date {
  return /^\d{4}-\d{2}-\d{2}$/.test(expires) ? new Date(`${expires}T23:59:59.999Z`) : new Date(expires);
}

export function isExpired(rule: IgnoreRule, now: Date): boolean {
  return rule.expires !== undefined && now.getTime() > expiryInstant(rule.expires).getTime();
}

export interface IgnoreMatcher {
  readonly rule: IgnoreRule;
  readonly expired: boolean;
  matches(f: Finding): boolean;
}

export function ignoreMatchers(rules: readonly IgnoreRule[], now: Date): IgnoreMatcher[] {
  return rules.map((rule) => {
    const glob = rule.path !== undefined ? picomatch(rule.path, { dot: true }) : undefined;
    return {
      rule,
      expired: isExpired(rule, now),
      matches(f) {
        if (rule.ruleId !== undefined && rule.ruleId !== f.ruleId) return false;
        // A tool finding stands for every path that reaches it (evidence.paths): the glob must cover them all.
        if (glob !== undefined && (f.path === undefined || !toolPaths(f).every((p) => glob(p.path)))) return false;
        return true;
      },
    };
  });
}
