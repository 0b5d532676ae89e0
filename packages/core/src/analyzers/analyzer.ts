import type { FileEntry, ImageConfig, ShadowedEntry, UnsafeEntry } from "../types.js";
import type { FileIndex } from "../file-index.js";
import type { Finding } from "../finding.js";

/** What analyzers know about the image besides its files. */
export interface ImageFacts {
  /** Registry inputs only: the normalised reference as given (tag and/or digest). */
  reference?: string | undefined;
  /** True when the reference pins a digest. */
  pinned?: boolean | undefined;
  /** Per layer, bottom first: digest and created_by. */
  layers: readonly { index: number; digest: string; createdBy?: string | undefined }[];
}

export interface AnalyzerContext {
  /** The final filesystem. */
  files: FileIndex;
  /** Entries that shipped in some layer but are hidden in the final image. */
  shadowed: readonly ShadowedEntry[];
  /** Tar entries refused by the walk or the merge (`../`, bad whiteouts…). */
  unsafe: readonly UnsafeEntry[];
  config: ImageConfig;
  image: ImageFacts;
  /**
   * The captured leading bytes of a regular file version (final or shadowed),
   * when some analyzer's wantsContent asked for them; hardlinks give their
   * bound file's bytes. Undefined when not captured.
   */
  content(entry: FileEntry): Uint8Array | undefined;
}

/** Documentation for one ruleId: feeds SARIF rules and the README rule list. */
export interface RuleInfo {
  id: string;
  category: Finding["category"];
  /** One line: what the rule finds. */
  title: string;
  /** Why it matters, a sentence or two. */
  help: string;
  /** How to fix it. */
  fix: string;
}

/**
 * A plain object, listed in one map (analyzers/index.ts); no global registry
 * (DESIGN.md §2).
 */
export interface Analyzer {
  id: string;
  /** Every ruleId this analyzer can emit. */
  rules: readonly RuleInfo[];
  /**
   * Cheap and synchronous, called for every regular file of every layer as
   * it streams: how many leading bytes to capture (0 = none). Prefilter by
   * path and size here: most files must never be read (issue 6).
   */
  wantsContent?(entry: FileEntry): number;
  finish(ctx: AnalyzerContext): Finding[];
}
