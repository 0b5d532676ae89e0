/**
 * Reading a policy from text. Core never touches the file system
 * or `process`: the CLI reads the file and passes its text and name.
 * Every problem becomes one LayerlintError("POLICY_INVALID") whose message
 * names the key path and the reason, e.g.
 * `policy: size.maxCompressed: expected a size like "200MB" or "1.5GiB"`.
 */
import type { z } from "zod";
import { LayerlintError } from "../errors.js";
import { lazyModule } from "../lazy-module.js";
import { policySchema, type Policy } from "./schema.js";

const yaml = lazyModule<typeof import("yaml")>("yaml");

/** `["ignore", 0, "reason"]` → `ignore[0].reason`. */
export function issuePath(path: readonly PropertyKey[]): string {
  let s = "";
  for (const p of path) s += typeof p === "number" ? `[${p}]` : `${s === "" ? "" : "."}${String(p)}`;
  return s;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const at = issuePath(issue.path);
  let reason = issue.message;
  if (issue.code === "unrecognized_keys") reason = `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
  else if (issue.code === "invalid_type" && at === "") reason = "expected a mapping of sections (size, tools, user, provenance, findings, ignore)";
  else if (issue.code === "invalid_type" && issue.input === undefined) reason = "required";
  return at === "" ? reason : `${at}: ${reason}`;
}

function fail(message: string, source: string | undefined): never {
  throw new LayerlintError("POLICY_INVALID", `policy: ${message}${source ? ` (in ${source})` : ""}`);
}

/** Validates a parsed policy document. `source` names it in messages (a file name, or "flags"). */
export function validatePolicy(value: unknown, source?: string): Policy {
  const r = policySchema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issues = r.error.issues;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? "s" : ""})` : "";
  return fail(`${describeIssue(issues[0]!)}${more}`, source);
}

/**
 * Parses policy text: JSON when the name ends in .json, else YAML (which
 * also reads JSON). An empty document is an empty policy.
 */
export function parsePolicy(text: string, fileName?: string): Policy {
  let doc: unknown;
  if (fileName?.toLowerCase().endsWith(".json")) {
    try {
      doc = text.trim() === "" ? {} : JSON.parse(text);
    } catch (e) {
      fail(`invalid JSON: ${(e as Error).message}`, fileName);
    }
  } else {
    try {
      // YAML 1.2 core schema: `2027-06-30` stays a string; no custom tags.
      doc = yaml().parse(text, { prettyErrors: false, uniqueKeys: true });
    } catch (e) {
      const msg = e instanceof yaml().YAMLParseError ? `invalid YAML at line ${e.linePos?.[0].line ?? "?"}: ${e.message.split("\n")[0]}` : `invalid YAML: ${(e as Error).message}`;
      fail(msg, fileName);
    }
  }
  return validatePolicy(doc, fileName);
}

/**
 * `override` on top of `base`, key by key inside each section: a CLI flag
 * replaces the same rule from the file (a list replaces the list). Ignores
 * from both are kept.
 */
export function mergePolicies(base: Policy, override: Policy): Policy {
  const out: Policy = {};
  const sections = ["size", "tools", "user", "provenance", "findings"] as const;
  for (const s of sections) {
    const merged = { ...(base[s] ?? {}), ...dropUndefined(override[s] ?? {}) };
    if (Object.keys(merged).length > 0) (out as Record<string, unknown>)[s] = merged;
  }
  const ignore = [...(base.ignore ?? []), ...(override.ignore ?? [])];
  if (ignore.length > 0) out.ignore = ignore;
  return out;
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** True when the policy sets no rule at all (then the run has no gate). */
export function isEmptyPolicy(p: Policy): boolean {
  return ["size", "tools", "user", "provenance", "findings"].every((s) => {
    const v = (p as Record<string, Record<string, unknown> | undefined>)[s];
    return v === undefined || Object.values(v).every((x) => x === undefined);
  }) && (p.ignore ?? []).length === 0;
}
