import type { Command } from "commander";
import { formatOption } from "../formats.js";
import { table } from "../format.js";

/**
 * `layerlint rules`: the rule catalogue, every ruleId a report can carry.
 * Text is one row per rule (id, category, default severity, title), the
 * IDs a policy's ignores and --fail-on decisions name; `-f json` is the
 * whole catalogue (help, fix, references) with each rule's doc link.
 */
async function rulesCommand(opts: { format: "text" | "json" }): Promise<number> {
  // Loaded when the command runs, so registering it costs the other commands' start-up nothing.
  const { ruleAnchor, ruleCatalogue, RULES_DOC_URL } = await import("@layerlint/core");
  if (opts.format === "json") {
    const rules = ruleCatalogue.map((r) => ({
      id: r.id,
      category: r.category,
      severity: r.severity,
      title: r.title,
      help: r.help,
      fix: r.fix,
      references: r.references,
      helpUri: ruleAnchor(r.id),
    }));
    process.stdout.write(`${JSON.stringify({ docs: RULES_DOC_URL, rules }, null, 2)}\n`);
    return 0;
  }
  const rows = ruleCatalogue.map((r) => [r.id, r.category, r.severity.toUpperCase(), r.title]);
  process.stdout.write(`${table([["ID", "CATEGORY", "SEVERITY", "TITLE"], ...rows])}\n\n${ruleCatalogue.length} rules; details: ${RULES_DOC_URL}\n`);
  return 0;
}

export function addRulesCommand(program: Command, setCode: (n: number) => void): void {
  program
    .command("rules")
    .description("list every rule: id, category, default severity and title (-f json: the whole catalogue)")
    .addOption(formatOption("rules"))
    .action(async (o: { format: "text" | "json" }) => setCode(await rulesCommand(o)));
}
