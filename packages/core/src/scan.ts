import type { Readable } from "node:stream";
import type { FileEntry, Platform } from "./types.js";
import type { Analyzer, AnalyzerContext, ImageFacts } from "./analyzers/analyzer.js";
import { analyzerContext } from "./analyzers/context.js";
import { analyzersWithLimits } from "./analyzers/index.js";
import { readOsRelease, osReleaseWants } from "./analyzers/os-release.js";
import { classifyBase } from "./analyzers/base-class.js";
import { openSource } from "./sources/open-source.js";
import type { ContentScan } from "./walk-layer.js";
import { imageSizes } from "./layer-sizes.js";
import { loadImage, reportedLayers, type LayerWorkersMode, type LoadedImage, type ProgressEvent } from "./load-image.js";
import { parsePlatform } from "./platform.js";
import { findingCount, severityRank, SEVERITIES, type Finding } from "./finding.js";
import { boundFindings } from "./bound-findings.js";
import { analysisOf } from "./analysis.js";
import { captureFindings } from "./capture-findings.js";
import { planSecondLook, secondLook } from "./second-look.js";
import { readsOnce } from "./sources/streamed-source.js";
import type { Limits } from "./limits.js";
import type { RegistryOptions } from "./registry/registry-source.js";
import type { Report } from "./report.js";
import { VERSION } from "./version.js";
import { ScanActivity } from "./scan-activity.js";
import { withDeadline } from "./scan-deadline.js";
import { detectBase, layerRoleOf, type FlagBase } from "./base-image/detect-base.js";
import { loadBase } from "./base-image/load-base.js";

export interface ScanOptions {
  /** `os/arch[/variant]` or a Platform; default linux/amd64, or the single image. */
  platform?: string | Platform | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((e: ProgressEvent) => void) | undefined;
  /** Layers read at once (default: the core count). */
  concurrency?: number | undefined;
  /** Where layers are verified and decompressed (LoadOptions.layerWorkers); default "auto". */
  layerWorkers?: LayerWorkersMode | undefined;
  limits?: Partial<Limits> | undefined;
  /** Replace the analyzer set (default: all of them). */
  analyzers?: readonly Analyzer[] | undefined;
  /** Credentials, TLS and progress for registry inputs. */
  registry?: RegistryOptions | undefined;
  /** Warnings about the input (a tag on several images of an archive); the CLI prints `warning: …`. */
  onWarning?: ((message: string) => void) | undefined;
  /** Standard input, for the input `-` (OpenSourceOptions.stdin). */
  stdin?: (() => Readable) | undefined;
  /**
   * Estimate the compressed size of layers stored uncompressed (docker
   * save), as gzip level 6 of each while it streams (LoadOptions). Set it
   * when a compressed-size rule will read the report (wantsCompressedSize);
   * without it those layers' compressedSizeKind is "unknown" and such a
   * rule fails closed.
   */
  estimateCompressedSize?: boolean | undefined;
  /**
   * Overall deadline in milliseconds (parseDuration reads "5m", "90s"). When
   * it passes, downloads, workers and file reads stop and the scan rejects
   * with TIMEOUT, naming what was still running.
   */
  timeout?: number | undefined;
  /**
   * The base image (`--base REF`): any input scan takes. Only its manifest
   * and config are read; its diff_ids must be the bottom of the scanned
   * image's, else onWarning says so and the base is found as without it.
   */
  base?: string | undefined;
}

/**
 * Scans an image and returns the report the JSON output prints. `input`
 * is what the CLI takes: oci:DIR[:REF], oci-archive:FILE[:REF],
 * docker-archive:FILE[:REF] or a path.
 *
 * Load (every layer read once, then merged), second look (the layers that
 * carry a file some analyzer needs whole and the walk did not capture
 * whole are read again: second-look.ts), report (buildReport).
 */
export async function scan(input: string, options: ScanOptions = {}): Promise<Report> {
  if (options.timeout === undefined) return scanOnce(input, options, undefined);
  const activity = new ScanActivity();
  return withDeadline(options.timeout, options.signal, activity, (signal) => scanOnce(input, { ...options, signal }, activity));
}

async function scanOnce(input: string, options: ScanOptions, activity: ScanActivity | undefined): Promise<Report> {
  const platform = typeof options.platform === "string" ? parsePlatform(options.platform) : options.platform;
  const source = await openSource(input, {
    platform,
    limits: options.limits,
    registry: options.registry,
    signal: options.signal,
    onWarning: options.onWarning,
    stdin: options.stdin,
  });
  try {
    const analyzers = options.analyzers ?? analyzersWithLimits(options.limits?.maxSecretFileBytes);
    // Fresh per-scan states: analyzers are shared singletons (analyzer.ts).
    const states = analyzers.map((a) => a.createState?.());
    const image = await loadImage(source, {
      concurrency: options.concurrency,
      layerWorkers: options.layerWorkers,
      maxDecoderBytes: options.limits?.maxDecoderBytes,
      activity,
      signal: options.signal,
      onProgress: options.onProgress,
      wantsContent: retainedWants(analyzers),
      scanContent: streamedContent(analyzers, states),
      maxCapturedBytes: options.limits?.maxCapturedBytes,
      estimateCompressedSize: options.estimateCompressedSize,
    });
    const first = contextOf(image);
    const wanted = analyzers.flatMap((a, i) => a.needsContent?.(first, states[i]) ?? []);
    if (wanted.length > 0 && readsOnce(source)) {
      warnNoSecondLook(image, wanted, options);
    } else if (wanted.length > 0) {
      activity?.now("reading layers again for files the analyzers need whole");
      await secondLook(image, wanted, {
        signal: options.signal,
        maxBytes: options.limits?.maxSecondLookBytes,
        maxDecoderBytes: options.limits?.maxDecoderBytes,
        activity,
      });
    }
    let flagBase: FlagBase | undefined;
    if (options.base !== undefined) {
      activity?.now(`reading the base image ${options.base}`);
      flagBase = await loadBase(options.base, {
        platform: parsePlatform(image.platform),
        limits: options.limits,
        registry: options.registry,
        signal: options.signal,
        onWarning: options.onWarning,
      });
    }
    activity?.now("analysing the image");
    return buildReport(input, image, analyzers, states, { flag: flagBase, onWarning: options.onWarning });
  } finally {
    await source.close();
  }
}

/**
 * A streamed archive cannot be read again: files an analyzer needs whole
 * and the pass did not capture whole stay as they are, and their checks
 * fail closed (needsContent). Says which, once.
 */
function warnNoSecondLook(image: LoadedImage, wanted: readonly FileEntry[], options: ScanOptions): void {
  const plan = planSecondLook(image.fs.files, image.layerIndexes, wanted, Number.POSITIVE_INFINITY);
  const paths = [...plan.layers.values()].flatMap((m) => [...m.values()].map((e) => e.path));
  if (paths.length === 0) return;
  const shown = paths.slice(0, 3).join(", ") + (paths.length > 3 ? `, and ${paths.length - 3} more` : "");
  options.onWarning?.(
    `${image.source.description}: a stream is read once, so ${paths.length === 1 ? "a file" : `${paths.length} files`} the checks need whole could not be read again (${shown}); those checks fail closed`,
  );
}

/**
 * Retained content (analyzers without onContent, and os-release): one cheap
 * check per entry, the largest cap asked for.
 */
function retainedWants(analyzers: readonly Analyzer[]): (e: FileEntry) => number {
  const wants = analyzers.flatMap((a) => (a.wantsContent && !a.onContent ? [a.wantsContent.bind(a)] : []));
  return (e) => {
    let n = osReleaseWants(e.path);
    for (const w of wants) n = Math.max(n, w(e));
    return n;
  };
}

/**
 * Streamed content (analyzers with onContent): read to the largest cap, then
 * each analyzer that asked gets its own prefix with its own state.
 */
function streamedContent(analyzers: readonly Analyzer[], states: readonly unknown[]): ContentScan | undefined {
  const streaming = analyzers.flatMap((a, i) =>
    a.wantsContent && a.onContent ? [{ a, wants: a.wantsContent.bind(a), state: states[i] }] : [],
  );
  if (streaming.length === 0) return undefined;
  const copied = (copy: FileEntry, original: FileEntry): void => {
    for (const s of streaming) s.a.onContentCopy?.(copy, original, s.state);
  };
  if (streaming.length === 1) {
    const { a, wants, state } = streaming[0]!;
    return { wants, onContent: (e, bytes) => a.onContent!(e, bytes, state), copied };
  }
  return {
    wants(e) {
      let n = 0;
      for (const s of streaming) n = Math.max(n, s.wants(e));
      return n;
    },
    onContent(e, bytes) {
      for (const s of streaming) {
        const n = s.wants(e);
        if (n > 0) s.a.onContent!(e, bytes.length > n ? bytes.subarray(0, n) : bytes, s.state);
      }
    },
    copied,
  };
}

/**
 * `states` are the per-scan states the walk filled through onContent, one
 * per analyzer (scan() creates them); without them each analyzer gets a
 * fresh state, which has seen no streamed content. scan() runs the second
 * look (secondLook, for what Analyzer.needsContent asks) before this;
 * without it those analyzers fail closed on what the walk did not capture.
 *
 * Findings are assembled here: every analyzer's, plus the scan's own
 * (capture-findings.ts), sorted; `summary` counts all of them; the list is
 * then bounded per rule (bound-findings.ts), the rest of a rule carried by
 * one aggregate finding with the count; `analysis` lists the gaps
 * (analysis.ts) from the undetermined findings. Each finding says whether
 * its layer is the base image's (`base`: the --base image loaded by scan(),
 * else the manifest's annotations or history: base-image/detect-base.ts).
 */
export function buildReport(
  input: string,
  image: LoadedImage,
  analyzers: readonly Analyzer[],
  states: readonly unknown[] = analyzers.map((a) => a.createState?.()),
  base: { flag?: FlagBase | undefined; onWarning?: ((message: string) => void) | undefined } = {},
): Report {
  const ctx = contextOf(image);
  const attribution = detectBase(image.manifest, image.config, base.flag, base.onWarning);
  const found = [...analyzers.flatMap((a, i) => a.finish(ctx, states[i])), ...captureFindings(image)];
  const all = sortFindings(attribution === undefined ? found : found.map((f) => ({ ...f, layerRole: layerRoleOf(f, attribution) })));
  const os = readOsRelease(ctx);
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<(typeof SEVERITIES)[number], number>;
  const byCategory: Record<string, number> = {};
  let total = 0;
  for (const f of all) {
    const n = findingCount(f);
    total += n;
    if (f.aggregate === undefined) bySeverity[f.severity]++;
    else for (const [s, k] of Object.entries(f.aggregate.bySeverity)) bySeverity[s as keyof typeof bySeverity] += k;
    byCategory[f.category] = (byCategory[f.category] ?? 0) + n;
  }
  // An aggregate (bound-findings.ts) stands for findings of several layers: it gets no role.
  const findings = boundFindings(all);
  const reference = image.source.reference ?? null;
  return {
    schemaVersion: 1,
    tool: { name: "layerlint", version: VERSION },
    image: {
      input,
      source: image.source.kind,
      reference,
      // Pinned to what the reference names, as `layerlint digest` prints it: a
      // multi-platform tag's index, whose entry for this platform is manifestDigest.
      pinnedReference: reference ? pinnedForm(reference, image.manifest.fromIndex?.digest ?? image.manifest.digest) : null,
      ...(image.manifest.fromIndex ? { indexDigest: image.manifest.fromIndex.digest } : {}),
      manifestDigest: image.manifest.digest,
      configDigest: image.manifest.config.digest,
      platform: image.platform,
      os: os ? { id: os.id, versionId: os.versionId ?? null, prettyName: os.prettyName ?? null } : null,
      // The tools analyzer's own findings, so the label cannot contradict them.
      baseClass: classifyBase(ctx, os, analyzers.some((a) => a.id === "tools") ? all : undefined),
      user: image.config.config.User ?? "",
      ...(attribution !== undefined ? { base: attribution.base } : {}),
      sizes: imageSizes(image),
      layers: reportedLayers(image),
      waste: image.fs.waste,
    },
    summary: { total, bySeverity, byCategory },
    findings,
    analysis: analysisOf(all),
  };
}

/** What analyzers see of a loaded image. */
function contextOf(image: LoadedImage): AnalyzerContext {
  const facts: ImageFacts = {
    reference: image.source.reference,
    pinned: image.source.reference?.includes("@") ?? false,
    layers: image.layers.map((l) => ({ index: l.index, digest: l.digest, createdBy: l.createdBy })),
  };
  return analyzerContext(image.fs, image.layerIndexes, image.config, facts);
}

/** NAME@sha256:… from a reference that may carry a tag and/or digest. */
function pinnedForm(reference: string, digest: string): string {
  const at = reference.indexOf("@");
  const name = at >= 0 ? reference.slice(0, at) : reference;
  const slash = name.lastIndexOf("/");
  const colon = name.lastIndexOf(":");
  return `${colon > slash ? name.slice(0, colon) : name}@${digest}`;
}

/** Most severe first, then by category, path and rule, so output is stable. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      cmp(a.category, b.category) ||
      cmp(a.path ?? "", b.path ?? "") ||
      cmp(a.ruleId, b.ruleId) ||
      (a.layer ?? -1) - (b.layer ?? -1) ||
      cmp(a.message, b.message),
  );
}

/** Code-unit order: independent of the user's locale. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
