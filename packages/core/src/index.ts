// @layerlint/core public API.
export { LayerlintError, isLayerlintError, type ErrorCode } from "./errors.js";
export type {
  Descriptor,
  Platform,
  ImageManifest,
  ChosenFromIndex,
  ImageConfig,
  ContainerConfig,
  HistoryEntry,
  ImageSource,
  SourceKind,
  FileEntry,
  FileType,
  ShadowedEntry,
  UnsafeEntry,
  UnsafeReason,
} from "./types.js";
export { MAX_UNSAFE_LISTED, type UnsafeCount } from "./unsafe-log.js";
export type { LayerIndex, MarkKind, Marks } from "./layer-index.js";
export { openSource, localInputPath, readsStdin, type OpenSourceOptions } from "./sources/open-source.js";
export { SYNTHESIZED_DIGEST } from "./sources/docker-archive-source.js";
export { imageSizes, type CompressedSizeKind } from "./layer-sizes.js";
export { loadImage, reportedLayers, type LoadedImage, type LoadOptions, type LayerWorkersMode, type LayerSummary, type ProgressEvent } from "./load-image.js";
export { mergeLayers, type MergedFilesystem } from "./merge-layers.js";
export type { FileIndex } from "./file-index.js";
export { walkLayer, type WantsContent } from "./walk-layer.js";
export { secondLook, planSecondLook, type SecondLookOptions, type SecondLookPlan, type SecondLookResult } from "./second-look.js";
export { openLayer, verifyBlob } from "./layer-stream.js";
export { sniffCompression, zstdImplementation, type Compression } from "./compression.js";
export { parsePlatform, formatPlatform, normalizePlatform, platformMatches, selectManifest, isAttestationDescriptor } from "./platform.js";
export { fileRecord, symbolicMode, type FileRecord } from "./file-record.js";
export { defaultLimits, type Limits } from "./limits.js";
export { parseDuration, formatDuration, DURATION_HINT } from "./duration.js";
export { withDeadline } from "./scan-deadline.js";
export { ScanActivity } from "./scan-activity.js";
export { DecoderBudget } from "./decoder-budget.js";
export { walkTar, type TarHeader, type TarVisitor } from "./tar/index.js";
export { scan, buildReport, sortFindings, type ScanOptions } from "./scan.js";
export { detectBase, layerRoleOf, BASE_NAME_ANNOTATION, BASE_DIGEST_ANNOTATION, type BaseImageInfo, type LayerRole } from "./base-image/detect-base.js";
export { historyBase } from "./base-image/history-base.js";
export { baseLine, whereLabel, roleSections, type RoleSection } from "./base-image/role-display.js";
export { reportSchema, findingSchema, reportJsonSchema, type Report, type LayerReport } from "./report.js";
export { CATEGORIES, SEVERITIES, severityRank, findingCount, type Finding, type Category, type Severity } from "./finding.js";
export type { Analyzer, AnalyzerContext, ImageFacts, RuleInfo } from "./analyzers/analyzer.js";
export { defaultAnalyzers } from "./analyzers/index.js";
export { allRules, gateRules, ruleCatalogue, findRule, renderRulesDoc, ruleAnchor, RULES_DOC_URL, REF, type RuleReference } from "./rules/index.js";
export { VERSION } from "./version.js";
// Policy gate and report renderers.
export { parseSize, formatSize, SIZE_HINT } from "./policy/size.js";
export {
  policySchema,
  policyJsonSchema,
  FORBID_CATEGORIES,
  type Policy,
  type PolicyInput,
  type IgnoreRule,
  type ForbidCategory,
} from "./policy/schema.js";
export { parsePolicy, validatePolicy, mergePolicies, isEmptyPolicy, policyChecksNothing } from "./policy/load.js";
export { findingFingerprint } from "./policy/fingerprint.js";
export { createBaseline, parseBaseline, compareBaseline, type Baseline, type BaselineState } from "./policy/baseline.js";
export { wantsCompressedSize } from "./policy/size-checks.js";
export { evaluatePolicy, allowMatches, type GateCheck, type GateResult, type FindingGateState, type EvaluateOptions } from "./policy/evaluate.js";
export type { IgnoreStatus } from "./policy/ignores.js";
export { registryAllowed } from "./policy/provenance.js";
export { applyGate, gatedReportSchema, gatedReportJsonSchema, type GatedReport, type GatedFinding } from "./policy/gated-report.js";
export { sarifLog, renderSarif, type SarifOptions } from "./reports/sarif.js";
export { renderJunit } from "./reports/junit.js";
export { renderMarkdown, type MarkdownOptions } from "./reports/markdown.js";
export { checkCells, failuresFirst, CATEGORY_TITLES } from "./reports/check-display.js";
export { redactText } from "./redact-text.js";
export { escapeText, escapeTextKeepingLines } from "./escape-text.js";
export * from "./registry/index.js";
// Summaries: fix first, wasted paths, ignored findings.
export { fixFirst, fixActionLine, shortStep, FIX_FIRST_MAX, type FixAction } from "./summary/fix-first.js";
export { ignoredCount, withoutIgnored, findingsPhrase } from "./summary/ignored.js";
export { WASTED_TOP, type WastedPath, type WasteSummary } from "./wasted-paths.js";
export { wastedPathLine } from "./summary/waste-lines.js";
export { parseIgnoreEntry, parseIgnoreFile, type ParsedIgnores } from "./policy/ignore-file.js";
export { summariseDetails, DETAILS_WIDTH } from "./reports/check-display.js";
export type { JunitOptions } from "./reports/junit.js";
export { layerCreatedBy } from "./history.js";
export { isArtifactDescriptor } from "./artifact.js";
