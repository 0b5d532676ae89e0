/**
 * The second look. The walk captures content as it streams, by walk-time
 * name and capped (a file named passwd, 1 MiB), because nothing else is
 * known yet. Only the merge tells which version is final and what reaches
 * it: /etc/passwd may be a symlink to /app/pw, a hardlink to it, or larger
 * than its cap. An analyzer whose verdict needs such a file whole says so
 * (Analyzer.needsContent); the layer that carries its bytes is then read
 * once more, through the same verified path as the first pass (openBlob,
 * digest and diff_id checked as it streams, the same tar walk), and exactly
 * that entry captured whole. The bytes go into that layer's `contents`
 * under the walk-time entry, where ctx.content finds them.
 *
 * A re-walk of the same verified bytes yields the same entries in the same
 * order, so an entry is named across passes by its position in
 * LayerIndex.entries.
 *
 * Bounded: the files of a second look together take at most
 * Limits.maxSecondLookBytes (16 MiB); a file that does not fit is left as
 * it was and its analyzer fails closed. One pass per layer, layers one at a
 * time. For a registry input the layer is downloaded again: this only
 * happens for images whose account files are reached in such odd ways.
 */
import type { FileEntry } from "./types.js";
import type { FileIndex } from "./file-index.js";
import type { LayerIndex } from "./layer-index.js";
import { readLayer, type LoadedImage } from "./load-image.js";
import { DecoderBudget } from "./decoder-budget.js";
import { defaultLimits } from "./limits.js";
import type { ScanActivity } from "./scan-activity.js";

export interface SecondLookPlan {
  /** Per layer index: position in LayerIndex.entries → the walk-time entry to capture whole. */
  layers: Map<number, Map<number, FileEntry>>;
  /** Bytes the plan captures, all files together. */
  bytes: number;
  /** Walk-time entries left out because they did not fit in the limit. */
  skipped: FileEntry[];
}

export interface SecondLookOptions {
  signal?: AbortSignal | undefined;
  /** Limits.maxSecondLookBytes. */
  maxBytes?: number | undefined;
  /** Limits.maxDecoderBytes: decoder memory for the layer being read again. */
  maxDecoderBytes?: number | undefined;
  /** Shows the layer being read again, for a deadline's message. */
  activity?: ScanActivity | undefined;
}

export interface SecondLookResult {
  /** Layers read again, bottom first. */
  layers: number[];
  /** Files now captured whole. */
  files: number;
  bytes: number;
  /** Walk-time entries over the limit, left as they were. */
  skipped: FileEntry[];
}

/**
 * Which walk-time entries to read again for the `wanted` final (or
 * shadowed) entries: their origins (FileIndex.origin: the entry that
 * carried the bytes), regular files not already captured whole, in the
 * order asked, while they fit in `maxBytes`.
 */
export function planSecondLook(
  files: FileIndex,
  layerIndexes: readonly LayerIndex[],
  wanted: readonly FileEntry[],
  maxBytes: number = defaultLimits.maxSecondLookBytes,
): SecondLookPlan {
  const layers = new Map<number, Map<number, FileEntry>>();
  const seen = new Set<FileEntry>();
  const skipped: FileEntry[] = [];
  let bytes = 0;
  for (const w of wanted) {
    const o = files.origin(w);
    if (o.type !== "file" || o.size === 0 || seen.has(o)) continue;
    seen.add(o);
    const index = layerIndexes[o.layer];
    if (index === undefined || index.contents.get(o)?.length === o.size) continue;
    if (bytes + o.size > maxBytes) {
      skipped.push(o);
      continue;
    }
    const position = index.entries.indexOf(o);
    if (position < 0) continue;
    let at = layers.get(o.layer);
    if (at === undefined) layers.set(o.layer, (at = new Map()));
    at.set(position, o);
    bytes += o.size;
  }
  return { layers, bytes, skipped };
}

/** The same entry in both passes: anything else means the bytes differ, and nothing is taken. */
function sameEntry(a: FileEntry, b: FileEntry): boolean {
  return a.path === b.path && a.type === b.type && a.size === b.size && a.layer === b.layer;
}

/**
 * Reads again the layers that carry the `wanted` entries (final or
 * shadowed; see the module comment) and stores their whole content for
 * ctx.content. `image.source` must still be open.
 */
export async function secondLook(
  image: LoadedImage,
  wanted: readonly FileEntry[],
  opts: SecondLookOptions = {},
): Promise<SecondLookResult> {
  const plan = planSecondLook(image.fs.files, image.layerIndexes, wanted, opts.maxBytes);
  const result: SecondLookResult = { layers: [], files: 0, bytes: 0, skipped: plan.skipped };
  if (plan.layers.size === 0) return result;
  const decoders = new DecoderBudget(opts.maxDecoderBytes ?? defaultLimits.maxDecoderBytes, opts.signal);
  const total = image.manifest.layers.length;
  for (const layer of [...plan.layers.keys()].sort((a, b) => a - b)) {
    const want = plan.layers.get(layer)!;
    const desc = image.manifest.layers[layer]!;
    opts.activity?.layerStart(layer, total, desc.digest, desc.size);
    const again = await readLayer(
      image.source,
      desc,
      image.config.rootfs.diff_ids[layer]!,
      layer,
      { signal: opts.signal, activity: opts.activity, wantsContent: (e, position) => Math.min(e.size, want.get(position)?.size ?? 0) },
      undefined,
      undefined,
      decoders,
    );
    opts.activity?.layerDone(layer);
    result.layers.push(layer);
    const contents = image.layerIndexes[layer]!.contents;
    for (const [position, original] of want) {
      const e = again.index.entries[position];
      const bytes = e === undefined ? undefined : again.index.contents.get(e);
      if (e === undefined || bytes === undefined || !sameEntry(e, original) || bytes.length !== original.size) continue;
      contents.set(original, bytes);
      result.files++;
      result.bytes += bytes.length;
    }
  }
  return result;
}
