import type { FileEntry, ImageConfig, ShadowedEntry, UnsafeEntry } from "../types.js";
import type { FileIndex } from "../file-index.js";
import type { UnsafeCount } from "../unsafe-log.js";
import type { Finding, Severity } from "../finding.js";

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
  /**
   * Tar entries the walk or the merge had to interpret (`../` clamped, bad
   * whiteouts, writes through symlinked parents…): the first
   * MAX_UNSAFE_LISTED per (layer, reason).
   */
  unsafe: readonly UnsafeEntry[];
  /**
   * Per (layer, reason): `total` unsafe entries, of which the first `listed`
   * are in `unsafe`. Report `total - listed` more when it is positive.
   */
  unsafeCounts: readonly UnsafeCount[];
  config: ImageConfig;
  image: ImageFacts;
  /**
   * The retained leading bytes of a regular file version (final or
   * shadowed), read through `origin(entry)`: so every name of a hardlinked
   * inode and a file written through a symlinked parent give the bytes the
   * walk captured. Complete iff `bytes.length === entry.size`. Undefined when
   * not captured: nobody asked (wantsContent), over the file's cap, over the
   * scan-wide Limits.maxCapturedBytes, or sparse. Fail closed on undefined.
   */
  content(entry: FileEntry): Uint8Array | undefined;
  /**
   * The walk-time entry, exactly the object passed to wantsContent and
   * onContent, whose content this final or shadowed entry holds
   * (FileIndex.origin). Streaming analyzers key their per-scan state by the
   * walk-time entry and find it again with `origin(final)`.
   */
  origin(entry: FileEntry): FileEntry;
}

/** Documentation for one ruleId: feeds the rule catalogue (rules/catalogue.ts), SARIF rules and docs/rules.md. */
export interface RuleInfo {
  id: string;
  category: Finding["category"];
  /** The severity it is reported at by default; `help` says when the analyzer raises or lowers it. */
  severity: Severity;
  /** One line: what the rule finds. */
  title: string;
  /** Why it matters, a sentence or two. */
  help: string;
  /** How to fix it. */
  fix: string;
  /** Where the advice comes from: CIS Docker Benchmark items, CVEs, upstream docs. */
  references: readonly { title: string; url: string }[];
}

/**
 * A plain object, listed in one map (analyzers/index.ts); no global registry.
 *
 * Content comes in two ways, chosen by whether the analyzer has `onContent`:
 *
 * - **Retained** (no onContent): the bytes wantsContent asks for are kept in
 *   the layer index until the end of the scan and read in finish() through
 *   `ctx.content()`. They are held for the whole scan, so ask this only for
 *   the few files that must be parsed against the final filesystem
 *   (/etc/passwd, /etc/shadow, busybox, os-release).
 * - **Streamed** (onContent): the bytes wantsContent asks for are handed to
 *   onContent once, as the layer streams, and are not kept. The analyzer
 *   keeps only small records (matches, counts; never a secret) in its
 *   per-scan state and turns them into findings in finish(), where the final
 *   FileIndex (readability, shadowing, hardlinks) is known.
 *
 * Analyzer objects are shared module-level singletons and may serve several
 * scans at once: anything a scan accumulates lives in the object createState()
 * returns, which scan() creates once per scan and passes to onContent and
 * finish. Keep nothing per scan in closures or on the analyzer itself.
 */
export interface Analyzer<State = unknown> {
  id: string;
  /** Every ruleId this analyzer can emit. */
  rules: readonly RuleInfo[];
  /**
   * Cheap and synchronous, called for every regular file of every layer as
   * it streams: how many leading bytes to read (0 = none). Prefilter by path
   * and size here: most files must never be read. The path is the walk-time
   * one: a file written through a symlinked parent (`e/passwd` with
   * `e -> etc`) lands elsewhere, so files that matter wherever they land are
   * asked by basename (paths.ts hasBasename). Retained or streamed depending
   * on onContent (see above).
   */
  wantsContent?(entry: FileEntry): number;
  /** A fresh per-scan state (called once per scan, before the walk). Without it, state is undefined. */
  createState?(): State;
  /**
   * Streaming analyzers: called during the walk, synchronously, once per
   * regular file version (final or not, any layer) that wantsContent asked
   * bytes for, with its leading bytes (at most what was asked, at most its
   * size). Layers are walked concurrently: calls of different layers come in
   * no fixed order. `bytes` may be shared with other analyzers and is
   * dropped after the call: never keep it nor a view of it. Key per-scan
   * state by the `entry` object (never its path), and find it in finish()
   * with ctx.origin(finalOrShadowedEntry).
   */
  onContent?(entry: FileEntry, bytes: Uint8Array, state: State): void;
  /**
   * Streaming analyzers: `copy` is another walk-time entry with exactly the
   * bytes `original` had when onContent saw it (one layer blob at two
   * positions of an image, read only once because its input, a pipe, cannot
   * be read again). Record for `copy` what onContent recorded for
   * `original`; without this, `copy` reads as never scanned.
   */
  onContentCopy?(copy: FileEntry, original: FileEntry, state: State): void;
  /**
   * Called once after the merge, before finish: final (or shadowed) entries
   * whose COMPLETE content this analyzer needs and ctx.content does not hold
   * in full, because the walk did not ask for it under its walk-time name (a
   * file reached through a symlink or hardlink) or its cap cut it short.
   * scan() then reads the layers that carry them once more (second-look.ts),
   * and finish() finds the whole bytes through ctx.content. Entries already
   * complete are skipped; those past Limits.maxSecondLookBytes stay as they
   * were, so finish() must still fail closed on them. Return only what the
   * verdict depends on: each layer named costs one more read of it.
   */
  needsContent?(ctx: AnalyzerContext, state: State): readonly FileEntry[];
  /** Called once after the merge (and the second look), with the state onContent filled. */
  finish(ctx: AnalyzerContext, state: State): Finding[];
}
