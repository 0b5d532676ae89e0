/**
 * Every analyzer, in one plain list: no global registry.
 * Order does not matter: findings are sorted by the report.
 */
import type { Analyzer, RuleInfo } from "./analyzer.js";
import { setuidAnalyzer } from "./setuid.js";
import { capabilitiesAnalyzer } from "./capabilities.js";
import { toolsAnalyzer } from "./tools.js";
import { permissionsAnalyzer } from "./permissions.js";
import { userAnalyzer } from "./user.js";
import { accountsAnalyzer } from "./accounts.js";
import { configAnalyzer } from "./config-checks.js";
import { CAPTURE_RULES } from "../capture-findings.js";
import { createSecretFilesAnalyzer, secretConfigAnalyzer, secretFilesAnalyzer } from "./secrets/index.js";

export const defaultAnalyzers: readonly Analyzer[] = [
  setuidAnalyzer,
  capabilitiesAnalyzer,
  toolsAnalyzer,
  secretFilesAnalyzer,
  secretConfigAnalyzer,
  userAnalyzer,
  accountsAnalyzer,
  configAnalyzer,
  permissionsAnalyzer,
];

/** The default set, with the secret scanner's per-file cap set to `maxSecretFileBytes`. */
export function analyzersWithLimits(maxSecretFileBytes: number | undefined): readonly Analyzer[] {
  if (maxSecretFileBytes === undefined) return defaultAnalyzers;
  const secrets = createSecretFilesAnalyzer({ maxFileBytes: maxSecretFileBytes });
  return defaultAnalyzers.map((a) => (a === secretFilesAnalyzer ? secrets : a));
}

/** Every ruleId layerlint can emit, with its help text (SARIF rules, README). */
export const allRules: readonly RuleInfo[] = [...defaultAnalyzers.flatMap((a) => a.rules), ...CAPTURE_RULES];

export { effectiveUser } from "./user.js";
