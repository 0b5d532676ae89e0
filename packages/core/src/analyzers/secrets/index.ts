/** Secret analyzers and the helpers redact-text.ts reuses. */
export { secretFilesAnalyzer, createSecretFilesAnalyzer } from "./secret-files.js";
export { secretConfigAnalyzer, isSecretPair, SECRET_FLAG_NAMES, AUTH_HEADER_PREFIX } from "./secret-config.js";
export { redact } from "./redact.js";
