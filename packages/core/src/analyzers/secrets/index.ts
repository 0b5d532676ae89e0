/** Secret analyzers (issue 3 §4, §6) and the helpers other analyzers may reuse. */
export { secretFilesAnalyzer, createSecretFilesAnalyzer, DEFAULT_MAX_SECRET_FILE_BYTES, isBinary } from "./secret-files.js";
export type { SecretFilesOptions, SecretFilesState } from "./secret-files.js";
export { secretConfigAnalyzer, findTextSecrets, findPairs, isSecretPair } from "./secret-config.js";
export { findSecrets, findTokens, findUrlCredentials, looksRandom, CONTENT_KEYWORDS } from "./secret-rules.js";
export type { SecretMatch, SecretRuleId } from "./secret-rules.js";
export { findPrivateKeys } from "./private-keys.js";
export { findAssignments } from "./assignments.js";
export { isSecretKeyName, isPlaceholder, isLiteralSecret } from "./secret-keys.js";
export { redact, MAX_REVEALED } from "./redact.js";
export { readability } from "./readability.js";
export type { ReadableBy, Readability } from "./readability.js";
export { planFor, isSkippedTree } from "./secret-paths.js";
export { SECRET_FILE_RULES, SECRET_CONFIG_RULES } from "./secret-rule-info.js";
