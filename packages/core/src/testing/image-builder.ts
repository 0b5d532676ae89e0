/**
 * Test helper (not shipped): builds an AnalyzerContext from compact layer
 * specs, through the real LayerBuilder and mergeLayers, so analyzer table
 * tests exercise the same code paths as a scan.
 */
import type { FileEntry, ImageConfig } from "../types.js";
import type { TarHeader, TarType } from "../tar/tar-header.js";
import { LayerBuilder } from "../layer-builder.js";
import { mergeLayers } from "../merge-layers.js";
import type { AnalyzerContext, ImageFacts } from "../analyzers/analyzer.js";
import type { Analyzer } from "../analyzers/analyzer.js";
import { analyzerContext } from "../analyzers/context.js";
import type { Finding } from "../finding.js";
import type { ContentScan, WantsContent } from "../walk-layer.js";
import type { LayerIndex } from "../layer-index.js";
import { planSecondLook } from "../second-look.js";

export interface SpecEntry {
  path: string;
  type?: TarType;
  mode?: number;
  uid?: number;
  gid?: number;
  /** File content (string is UTF-8); sets size. */
  content?: string | Uint8Array;
  /** Size without content (content not captured). */
  size?: number;
  link?: string;
  xattrs?: Record<string, Uint8Array>;
}

export interface ImageSpec {
  layers: SpecEntry[][];
  config?: Partial<ImageConfig["config"]>;
  history?: ImageConfig["history"];
  image?: Partial<ImageFacts>;
}

export function header(e: SpecEntry): TarHeader {
  const bytes = typeof e.content === "string" ? Buffer.from(e.content) : e.content;
  const type = e.type ?? (e.path.endsWith("/") ? "dir" : "file");
  return {
    name: e.path,
    linkname: e.link ?? "",
    type,
    typeflag: 0,
    mode: e.mode ?? (type === "dir" ? 0o755 : 0o644),
    uid: e.uid ?? 0,
    gid: e.gid ?? 0,
    size: bytes?.length ?? e.size ?? 0,
    mtime: 0,
    uname: "",
    gname: "",
    devmajor: 0,
    devminor: 0,
    xattrs: e.xattrs ?? {},
    sparse: false,
  };
}

/**
 * Builds the context. As during a real walk (walk-layer.ts), `wants`
 * decides which contents are retained for ctx.content(), and `scan`, when
 * given, gets the prefix it asks for, file by file in layer order, without
 * retaining it.
 */
export function buildContext(spec: ImageSpec, wants?: WantsContent, scan?: ContentScan): AnalyzerContext {
  return build(spec, wants, scan).ctx;
}

interface Built {
  ctx: AnalyzerContext;
  indexes: LayerIndex[];
  /** Every file entry's whole content, as the layer holds it (what a second look reads). */
  stored: Map<FileEntry, Uint8Array>;
}

function build(spec: ImageSpec, wants?: WantsContent, scan?: ContentScan): Built {
  const stored = new Map<FileEntry, Uint8Array>();
  const indexes = spec.layers.map((entries, i) => {
    const b = new LayerBuilder(i);
    const contents = new Map<FileEntry, Uint8Array>();
    let files = 0;
    let position = -1;
    for (const e of entries) {
      const h = header(e);
      const kind = b.add(h);
      if (kind === "entry") position++;
      if (h.type === "file") files++;
      const last = b.last();
      if (kind === "entry" && last?.type === "file" && e.content !== undefined) {
        const bytes = typeof e.content === "string" ? Buffer.from(e.content) : e.content;
        stored.set(last, bytes);
        if (bytes.length === 0) continue; // the walk captures nothing for an empty file
        const n = wants ? wants(last, position) : 0;
        const m = scan ? scan.wants(last, position) : 0;
        if (m > 0) scan!.onContent(last, bytes.subarray(0, m));
        if (n > 0) contents.set(last, bytes.subarray(0, n));
      }
    }
    return b.finish({ entries: entries.length, files, tarBytes: 0 }, contents);
  });
  const fs = mergeLayers(indexes);
  const config: ImageConfig = {
    digest: "sha256:" + "c".repeat(64),
    architecture: "amd64",
    os: "linux",
    config: { ...spec.config },
    rootfs: { type: "layers", diff_ids: spec.layers.map((_, i) => "sha256:" + String(i).repeat(64).slice(0, 64)) },
    history: spec.history ?? [],
  };
  const image: ImageFacts = {
    layers: spec.layers.map((_, i) => ({ index: i, digest: "sha256:" + String(i).repeat(64).slice(0, 64) })),
    ...spec.image,
  };
  return { ctx: analyzerContext(fs, indexes, config, image), indexes, stored };
}

/**
 * Runs one analyzer over a spec as scan() does: a fresh per-scan state,
 * content retained (no onContent) or streamed to onContent (analyzer.ts),
 * then the second look for what needsContent asks (second-look.ts: the
 * same plan, the bytes taken from the spec instead of a second read).
 */
export function runAnalyzer<S>(a: Analyzer<S>, spec: ImageSpec, limits: { maxSecondLookBytes?: number } = {}): Finding[] {
  const state = a.createState?.() as S;
  const wants = a.wantsContent?.bind(a);
  const streamed = wants !== undefined && a.onContent !== undefined;
  const { ctx, indexes, stored } = build(
    spec,
    streamed ? undefined : wants,
    streamed ? { wants, onContent: (e, bytes) => a.onContent!(e, bytes, state) } : undefined,
  );
  const wanted = a.needsContent?.(ctx, state) ?? [];
  const plan = planSecondLook(ctx.files, indexes, wanted, limits.maxSecondLookBytes);
  for (const [layer, entries] of plan.layers) {
    for (const e of entries.values()) {
      const bytes = stored.get(e);
      if (bytes !== undefined) indexes[layer]!.contents.set(e, bytes);
    }
  }
  return a.finish(ctx, state);
}
