/**
 * Running the gate around a scan. Before the scan: read the
 * policy (--policy, else .layerlint.yaml / .layerlint.yml / .layerlint.json
 * in the working directory), the flags and the baseline, so a bad policy
 * exits 2 before any layer is read. After it: evaluate, write the baseline
 * and the extra reports.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  allRules,
  applyGate,
  createBaseline,
  evaluatePolicy,
  LayerlintError,
  mergePolicies,
  parseBaseline,
  parsePolicy,
  policyChecksNothing,
  renderJunit,
  renderMarkdown,
  renderSarif,
  withoutIgnored,
  type Baseline,
  type GatedReport,
  type Policy,
  type Report,
} from "@layerlint/core";
import { policyFromFlags, type GateFlags, type ReportTarget } from "./gate-options.js";
import { textReport } from "./text-report.js";
import { loadIgnores, type IgnoreFlags } from "./ignore-options.js";
import { makeStyle, type Style } from "./style.js";
import { stderrLine } from "./registry-flags.js";

const POLICY_FILES = [".layerlint.yaml", ".layerlint.yml", ".layerlint.json"] as const;

export interface GateSetup {
  /** Undefined: no policy file, no rule flag, no baseline: no gate. */
  policy?: Policy | undefined;
  baseline?: Baseline | undefined;
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LayerlintError(what === "policy" ? "POLICY_INVALID" : "INVALID_INPUT", `${what}: cannot read ${file}${code ? ` (${code})` : ""}`);
  }
}

/** The working directory's policy file, by its name there (`.layerlint.yaml`), and its path. */
function discoverPolicy(cwd: string): { name: string; path: string } | undefined {
  return POLICY_FILES.map((name) => ({ name, path: join(cwd, name) })).find((p) => existsSync(p.path));
}

/**
 * `notice` gets the lines said on stderr before the scan: which policy
 * file was picked up from the working directory (a file nobody named
 * that changes the exit code must not act silently; --no-policy skips
 * it), and a warning when the policy read sets no check at all.
 */
export async function setupGate(flags: GateFlags & IgnoreFlags, cwd = process.cwd(), notice: (line: string) => void = stderrLine): Promise<GateSetup> {
  const found = flags.policy === undefined ? discoverPolicy(cwd) : undefined;
  if (found) notice(`policy: ${found.name} (found in the working directory; --no-policy skips it)`);
  const policyFile = flags.policy === false ? undefined : (flags.policy ?? found?.path);
  const fromFile = policyFile !== undefined ? parsePolicy(await readText(policyFile, "policy"), policyFile) : undefined;
  const fromFlags = policyFromFlags(flags);
  const baseline = flags.baseline !== undefined ? parseBaseline(await readText(flags.baseline, "baseline"), flags.baseline) : undefined;
  let policy: Policy | undefined = fromFile;
  if (fromFlags.any) policy = mergePolicies(fromFile ?? {}, fromFlags.policy);
  if (policy === undefined && baseline !== undefined) policy = {};
  if (fromFile !== undefined && policyChecksNothing(policy!)) {
    notice(`warning: policy ${found?.name ?? policyFile} sets no check (size, tools, user, provenance or findings): the gate checks nothing and always passes`);
  }
  // Ignores apply whenever they are given: alone, they make a gate with no checks, so every output marks what they match.
  const ignores = await loadIgnores(flags, cwd, flags.policy);
  if (ignores.length > 0) policy = mergePolicies(policy ?? {}, { ignore: ignores });
  return { policy, baseline };
}

/**
 * The report with the gate applied; unchanged when no gate runs. Whether
 * it passed and which ignores expired are in its `gate`.
 */
export function runGate(report: Report, setup: GateSetup, now?: Date): Report | GatedReport {
  if (setup.policy === undefined) return report;
  return applyGate(report, evaluatePolicy(report, setup.policy, { now, baseline: setup.baseline }));
}

/**
 * One report as text; `style` colours the text format (none by default, as
 * in a file). `hideIgnored` leaves ignored findings out of every format but
 * JSON, which keeps them marked.
 */
export function renderReport(
  format: ReportTarget["format"],
  report: Report | GatedReport,
  style: Style = makeStyle(false),
  { hideIgnored = false }: { hideIgnored?: boolean | undefined } = {},
): string {
  switch (format) {
    case "sarif":
      return renderSarif(hideIgnored ? { ...report, findings: withoutIgnored(report.findings) } : report, { rules: allRules });
    case "junit":
      return renderJunit(report, { hideIgnored });
    case "markdown":
      return renderMarkdown(report, { hideIgnored });
    case "json":
      return `${JSON.stringify(report, null, 2)}\n`;
    case "text":
      return textReport(report, style, { hideIgnored });
  }
}

/**
 * `all`: every finding, for the baseline, when `report` shows fewer
 * (--severity); `textNote`: a closing line for text reports (what
 * --severity hid).
 */
export async function writeOutputs(report: Report | GatedReport, flags: GateFlags & IgnoreFlags, all: Report | GatedReport = report, textNote?: string): Promise<void> {
  if (flags.writeBaseline !== undefined) {
    await writeText(flags.writeBaseline, `${JSON.stringify(createBaseline(all), null, 2)}\n`);
  }
  for (const t of flags.report ?? []) {
    const text = renderReport(t.format, report, undefined, { hideIgnored: flags.hideIgnored }) + (t.format === "text" && textNote !== undefined ? `${textNote}\n` : "");
    // `--report sarif=-`: stdout (scan lets at most one output go there).
    if (t.file === "-") process.stdout.write(text);
    else await writeText(t.file, text);
  }
}

/** A write that fails after the checks (disk full, a directory removed meanwhile) is one line, `FILE: reason`, as -o's. */
async function writeText(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (e) {
    throw new LayerlintError("INVALID_INPUT", `${file}: ${(e as Error).message.replace(/^[A-Z]+: /, "")}`);
  }
}
