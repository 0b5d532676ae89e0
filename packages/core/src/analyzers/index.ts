/**
 * Every analyzer, in one plain list: no global registry.
 * Order does not matter: findings are sorted by the report.
 */
import type { Analyzer } from "./analyzer.js";
import { setuidAnalyzer } from "./setuid.js";
import { capabilitiesAnalyzer } from "./capabilities.js";
import { toolsAnalyzer } from "./tools.js";
import { permissionsAnalyzer } from "./permissions.js";
import { userAnalyzer } from "./user.js";
import { accountsAnalyzer } from "./accounts.js";
import { configAnalyzer } from "./config-checks.js";
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

export { effectiveUser } from "./user.js";
