/**
 * Ignores written the way `.trivyignore` is
 * (https://trivy.dev/latest/docs/configuration/filtering/#trivyignore): one
 * rule ID per line, `#` starts a comment, and an optional `exp:YYYY-MM-DD`
 * after the ID ends it. A path glob may follow the ID after a colon, as
 * the policy's ignores allow: `setuid-binary:/usr/local/bin/*`. The same
 * syntax is the value of `--ignore`. Each line becomes a policy ignore
 * whose reason says where it came from (".layerlintignore line 3",
 * "--ignore"), so the gate reports it like any other ignore.
 */
import { LayerlintError } from "../errors.js";
import { ignoreSchema, type IgnoreRule } from "./schema.js";
import { GAP_RULES, isGapRule } from "../analysis.js";

export interface ParsedIgnores {
  rules: IgnoreRule[];
  /** Lines naming a rule ID that no analyzer emits: they match nothing. */
  warnings: string[];
}

const RULE_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * One `RULE[:PATH-GLOB] [exp:DATE]` entry. `where` names it in messages and
 * is the ignore's reason; `known` (rule IDs) turns an unknown ID into a warning.
 */
export function parseIgnoreEntry(entry: string, where: string, known?: ReadonlySet<string>): { rule: IgnoreRule; warning?: string } {
  const words = entry.trim().split(/\s+/);
  let expires: string | undefined;
  const last = words[words.length - 1]!;
  if (words.length > 1 && last.startsWith("exp:")) {
    expires = last.slice(4);
    words.pop();
  }
  const spec = words.join(" ");
  const colon = spec.indexOf(":");
  const ruleId = colon < 0 ? spec : spec.slice(0, colon);
  const path = colon < 0 ? undefined : spec.slice(colon + 1);
  if (!RULE_ID.test(ruleId)) {
    fail(where, `expected RULE[:PATH-GLOB] with a rule ID such as setuid-binary, got ${JSON.stringify(entry.trim())}`);
  }
  const r = ignoreSchema.safeParse({ ruleId, ...(path !== undefined ? { path } : {}), reason: where, ...(expires !== undefined ? { expires } : {}) });
  if (!r.success) {
    const issue = r.error.issues[0]!;
    fail(where, `${issue.path.length > 0 ? `${issue.path.join(".")}: ` : ""}${issue.message}`);
  }
  // An analysis gap says the scan could not decide; ignoring it makes the checks it affects pass without evidence.
  const warning =
    known !== undefined && !known.has(ruleId)
      ? `${where}: unknown rule ${JSON.stringify(ruleId)}; it matches no finding`
      : isGapRule(ruleId)
        ? `${where}: ${ruleId} is a gap in what the scan could see; ignoring it lets the gate checks it affects (${GAP_RULES[ruleId]!.join(", ")}) pass undecided. A reviewed policy ignore, with a reason, is the way to accept it`
        : undefined;
  return warning === undefined ? { rule: r.data } : { rule: r.data, warning };
}

/** An ignore file's text; `name` is how messages and reasons name it. */
export function parseIgnoreFile(text: string, name: string, known?: ReadonlySet<string>): ParsedIgnores {
  const out: ParsedIgnores = { rules: [], warnings: [] };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (line === "") return;
    const { rule, warning } = parseIgnoreEntry(line, `${name} line ${i + 1}`, known);
    out.rules.push(rule);
    if (warning !== undefined) out.warnings.push(warning);
  });
  return out;
}

function fail(where: string, message: string): never {
  throw new LayerlintError("POLICY_INVALID", `ignores: ${where}: ${message}`);
}
