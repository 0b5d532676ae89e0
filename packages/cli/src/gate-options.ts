/**
 * The policy gate's CLI flags: --policy FILE, one flag per policy
 * rule (a flag overrides the same rule from the file), --baseline,
 * --write-baseline, repeatable --report FORMAT=FILE, and the trivy-style
 * --severity and --exit-code.
 */
import { Command, Option } from "commander";
import { LayerlintError, mergePolicies, SEVERITIES, validatePolicy, type Policy, type Severity } from "@layerlint/core";
import { REPORT_FORMATS, type ReportFormat } from "./formats.js";
import { parseExitCode, parseSeverity, parseSeverityList } from "./severity-flags.js";

export { REPORT_FORMATS, type ReportFormat };

export interface ReportTarget {
  format: ReportFormat;
  file: string;
}

export interface GateFlags {
  /** A file; false for --no-policy (no file, not even the working directory's). */
  policy?: string | false;
  maxCompressed?: string;
  maxUncompressed?: string;
  maxLayers?: string;
  maxLayerSize?: string;
  maxWasted?: string;
  maxWastedPercent?: string;
  minEfficiency?: string;
  forbid?: string[];
  allow?: string[];
  requireNonRoot?: boolean;
  requireDigest?: boolean;
  forbidLatest?: boolean;
  allowedRegistry?: string[];
  failOn?: string;
  /** `--severity`: the levels shown and reported; the gate still sees every finding. */
  severity?: Severity[];
  /** `--exit-code`: the exit code of a failed gate (default 1). */
  exitCode?: number;
  report?: ReportTarget[];
  baseline?: string;
  writeBaseline?: string;
}

/** Comma-separated and repeatable: `--forbid shell,setuid --forbid capability`. */
const collectList = (v: string, prev: string[] = []) => [...prev, ...v.split(",").map((s) => s.trim()).filter(Boolean)];
const collect = (v: string, prev: string[] = []) => [...prev, v];

function parseReportTarget(v: string, prev: ReportTarget[] = []): ReportTarget[] {
  const eq = v.indexOf("=");
  // Any case, as -f takes it: `--report SARIF=x.sarif`.
  const format = v.slice(0, Math.max(eq, 0)).toLowerCase() as ReportFormat;
  const file = v.slice(eq + 1);
  if (eq <= 0 || !REPORT_FORMATS.includes(format) || file === "") {
    throw new LayerlintError("INVALID_INPUT", `--report: expected FORMAT=FILE with FORMAT one of ${REPORT_FORMATS.join(", ")}, got ${JSON.stringify(v)}`);
  }
  return [...prev, { format, file }];
}

export function addGateOptions(cmd: Command): Command {
  return cmd
    .option("--policy <file>", "policy file (YAML or JSON); default: .layerlint.yaml, .layerlint.yml or .layerlint.json in the working directory")
    .option("--no-policy", "read no policy file, not even the working directory's")
    .option("--max-compressed <size>", 'policy size.maxCompressed, e.g. "200MB" (10^6) or "190MiB" (2^20)')
    .option("--max-uncompressed <size>", "policy size.maxUncompressed")
    .option("--max-layers <n>", "policy size.maxLayers")
    .option("--max-layer-size <size>", "policy size.maxLayerSize (largest compressed layer)")
    .option("--max-wasted <size>", "policy size.maxWasted")
    .option("--max-wasted-percent <pct>", "policy size.maxWastedPercent (0-100)")
    .option("--min-efficiency <ratio>", "policy size.minEfficiency (0-1)")
    .option("--forbid <categories>", "policy tools.forbid: shell, package-manager, interpreter, download-tool, network-tool, setuid, capability (comma-separated, repeatable)", collectList)
    .option("--allow <tools>", "policy tools.allow: tool names or exact paths (comma-separated, repeatable)", collectList)
    .option("--require-non-root", "policy user.requireNonRoot")
    .option("--require-digest", "policy provenance.requireDigest")
    .option("--forbid-latest", "policy provenance.forbidLatest")
    .option("--allowed-registry <pattern>", "policy provenance.allowedRegistries entry, e.g. ghcr.io/acme/* (repeatable)", collect)
    // Any case, as trivy's --severity takes HIGH; choices() is kept for --help and shell completion.
    .addOption(new Option("--fail-on <severity>", "policy findings.failOn").choices([...SEVERITIES]).argParser((v) => parseSeverity("--fail-on", v)))
    .addOption(
      new Option("--severity <list>", "show and report only these severities, e.g. HIGH,CRITICAL (any case); the gate still evaluates every finding")
        .choices([...SEVERITIES])
        .argParser(parseSeverityList),
    )
    .addOption(
      new Option("--exit-code <n>", "exit code when the gate fails, 0-255 except 2 (errors); 0 reports a failed gate without failing the job").argParser(parseExitCode),
    )
    .option("--report <format=file>", `also write a report: ${REPORT_FORMATS.join(", ")} (repeatable; FILE - is stdout)`, parseReportTarget)
    .option("--baseline <file>", "fail only on findings that are not in this baseline")
    .option("--write-baseline <file>", "record the current findings as a baseline");
}

const num = (v: string): number | string => (/^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v);

/**
 * The flags as a policy, one flag validated at a time so an error names the
 * flag: `policy: size.maxCompressed: expected a size… (in --max-compressed)`.
 */
export function policyFromFlags(f: GateFlags): { policy: Policy; any: boolean } {
  const parts: Array<[flag: string, doc: Record<string, unknown>]> = [];
  const add = (flag: string, section: string, key: string, value: unknown) => {
    if (value !== undefined) parts.push([flag, { [section]: { [key]: value } }]);
  };
  add("--max-compressed", "size", "maxCompressed", f.maxCompressed !== undefined ? num(f.maxCompressed) : undefined);
  add("--max-uncompressed", "size", "maxUncompressed", f.maxUncompressed !== undefined ? num(f.maxUncompressed) : undefined);
  add("--max-layers", "size", "maxLayers", f.maxLayers !== undefined ? num(f.maxLayers) : undefined);
  add("--max-layer-size", "size", "maxLayerSize", f.maxLayerSize !== undefined ? num(f.maxLayerSize) : undefined);
  add("--max-wasted", "size", "maxWasted", f.maxWasted !== undefined ? num(f.maxWasted) : undefined);
  add("--max-wasted-percent", "size", "maxWastedPercent", f.maxWastedPercent !== undefined ? num(f.maxWastedPercent) : undefined);
  add("--min-efficiency", "size", "minEfficiency", f.minEfficiency !== undefined ? num(f.minEfficiency) : undefined);
  add("--forbid", "tools", "forbid", f.forbid);
  add("--allow", "tools", "allow", f.allow);
  add("--require-non-root", "user", "requireNonRoot", f.requireNonRoot);
  add("--require-digest", "provenance", "requireDigest", f.requireDigest);
  add("--forbid-latest", "provenance", "forbidLatest", f.forbidLatest);
  add("--allowed-registry", "provenance", "allowedRegistries", f.allowedRegistry);
  add("--fail-on", "findings", "failOn", f.failOn);
  const policy = parts.reduce<Policy>((merged, [flag, doc]) => mergePolicies(merged, validatePolicy(doc, flag)), {});
  return { policy, any: parts.length > 0 };
}
