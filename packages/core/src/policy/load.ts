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
import { jsonSyntaxProblem, syntaxErrorOffset } from "../json-syntax.js";
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
    } catch {
      fail(jsonProblem(text), fileName);
    }
  } else {
    try {
      // YAML 1.2 core schema: `2027-06-30` stays a string; no custom tags.
      // prettyErrors: the library fills in linePos only then.
      doc = yaml().parse(text, { prettyErrors: true, uniqueKeys: true });
    } catch (e) {
      fail(yamlProblem(e), fileName);
    }
  }
  return validatePolicy(doc, fileName);
}

/**
 * `invalid YAML at line 3, column 7: …`: the yaml library's own message
 * already ends in `at line 3, column 7:` followed by a code excerpt over
 * several lines (https://eemeli.org/yaml/#errors); the position comes from
 * its linePos instead, and the message keeps only its first sentence.
 */
function yamlProblem(e: unknown): string {
  if (!(e instanceof yaml().YAMLError)) return `invalid YAML: ${(e as Error).message}`;
  const pos = e.linePos?.[0];
  const reason = e.message.split("\n")[0]!.replace(/\s*at line \d+, column \d+:?\s*$/, "");
  return pos ? `invalid YAML at line ${pos.line}, column ${pos.col}: ${reason}` : `invalid YAML: ${reason}`;
}

/**
 * `invalid JSON at line 4, column 3: unexpected "}"`, the position found by
 * the JSON grammar (json-syntax.ts): V8's message gives a byte offset at
 * best, and on Node 20 none.
 */
function jsonProblem(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  const at = syntaxErrorOffset(bytes);
  const reason = jsonSyntaxProblem(bytes).replace(/ at byte \d+$/, "");
  if (at < 0) return `invalid JSON: ${reason}`;
  const before = bytes.subarray(0, at).toString("utf8");
  const line = before.split("\n").length;
  const col = before.length - before.lastIndexOf("\n");
  return `invalid JSON at line ${line}, column ${col}: ${reason}`;
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

/**
 * True when the policy sets no check: no size, tools, user, provenance or
 * findings rule (ignores alone check nothing). Its gate always passes.
 */
export function policyChecksNothing(p: Policy): boolean {
  return ["size", "tools", "user", "provenance", "findings"].every((s) => {
    const v = (p as Record<string, Record<string, unknown> | undefined>)[s];
    return v === undefined || Object.values(v).every((x) => x === undefined);
  });
}

/** True when the policy sets no rule at all (then the run has no gate). */
export function isEmptyPolicy(p: Policy): boolean {
  return policyChecksNothing(p) && (p.ignore ?? []).length === 0;
}
