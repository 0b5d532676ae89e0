import type { FileEntry } from "./types.js";
import type { LayerIndex } from "./layer-index.js";
import { walkTar, type TarHeader } from "./tar/index.js";
import { LayerBuilder } from "./layer-builder.js";
import type { CaptureBudget } from "./capture-budget.js";

/**
 * How many leading bytes of an entry's content an analyzer wants (0: none).
 * Cheap and synchronous: it runs for every regular file of every layer.
 * `position` is the entry's index in LayerIndex.entries: a second pass over
 * the same verified layer yields the same entries in the same order, so it
 * names one entry across passes (second-look.ts).
 */
export type WantsContent = (entry: FileEntry, position: number) => number;

/**
 * Content handed over as it streams, not kept (Analyzer.onContent): `wants`
 * picks the files and the byte cap, `onContent` gets each prefix once.
 */
export interface ContentScan {
  wants: WantsContent;
  onContent(entry: FileEntry, bytes: Uint8Array): void;
  /**
   * `copy` is another walk-time entry with exactly the bytes `original` had
   * when onContent saw it: a blob an image lists twice, walked once because
   * it cannot be read again (a streamed archive: place-layer.ts copyLayer).
   */
  copied?(copy: FileEntry, original: FileEntry): void;
}

interface Pending {
  entry: FileEntry;
  retain: number;
  scan: number;
  /** Bytes reserved in the budget for this capture. */
  reserved: number;
}

/**
 * One tar pass over one layer's uncompressed bytes. It yields metadata for
 * every entry plus the capped content asked for, and always consumes the
 * stream to EOF so upstream digest checks fire.
 *
 * `wantsContent` bytes are retained in LayerIndex.contents, keyed by the
 * entry object the walk made (the one passed to wantsContent); `scan` bytes
 * are passed to its onContent as soon as they are read and then dropped. A
 * file both ask for is read once, to the larger cap. `budget`, shared by
 * every layer of a scan, bounds what is held: a capture it refuses is not
 * read at all.
 */
export async function walkLayer(
  chunks: AsyncIterable<Uint8Array>,
  index: number,
  wantsContent?: WantsContent,
  scan?: ContentScan,
  budget?: CaptureBudget,
): Promise<LayerIndex> {
  const builder = new LayerBuilder(index);
  const contents = new Map<FileEntry, Uint8Array>();
  let files = 0;
  // Index of the last entry in builder's entries: add() pushes exactly one per "entry".
  let position = -1;
  const pending = new Map<TarHeader, Pending>();
  const result = await walkTar(chunks, {
    entry(h) {
      const kind = builder.add(h);
      if (kind === "entry") position++;
      if (h.type === "file" || h.type === "contiguous") files++;
      if (kind !== "entry" || (!wantsContent && !scan) || h.size === 0) return 0;
      const e = builder.last();
      if (!e || e.type !== "file") return 0;
      const retain = Math.min(wantsContent ? wantsContent(e, position) : 0, e.size);
      const scanned = Math.min(scan ? scan.wants(e, position) : 0, e.size);
      if (retain <= 0 && scanned <= 0) return 0;
      const reserved = Math.max(retain, scanned);
      if (budget !== undefined && !budget.reserve(reserved, e.path)) return 0;
      pending.set(h, { entry: e, retain, scan: scanned, reserved });
      return reserved;
    },
    content(h, bytes) {
      const p = pending.get(h);
      if (p === undefined) return;
      pending.delete(h);
      if (p.scan > 0) scan!.onContent(p.entry, bytes.length > p.scan ? bytes.subarray(0, p.scan) : bytes);
      let kept = 0;
      if (p.retain > 0) {
        // A shorter retained prefix is copied, so the larger scan buffer can be freed.
        const b = bytes.length > p.retain ? new Uint8Array(bytes.subarray(0, p.retain)) : bytes;
        contents.set(p.entry, b);
        kept = b.length;
      }
      budget?.settle(p.reserved, kept);
    },
  });
  return builder.finish({ entries: result.entries, files, tarBytes: result.bytes }, contents);
}
