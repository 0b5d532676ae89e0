import type { FileEntry } from "./types.js";
import type { LayerIndex } from "./layer-index.js";
import { walkTar, type TarHeader } from "./tar/index.js";
import { LayerBuilder } from "./layer-builder.js";

/**
 * How many leading bytes of an entry's content an analyzer wants (0: none).
 * Cheap and synchronous: it runs for every entry (DESIGN.md §2).
 */
export type WantsContent = (entry: FileEntry) => number;

/**
 * One tar pass over one layer's uncompressed bytes (DESIGN.md §1). It
 * yields metadata for every entry plus the capped content asked for, and
 * always consumes the stream to EOF so upstream digest checks fire.
 */
export async function walkLayer(
  chunks: AsyncIterable<Uint8Array>,
  index: number,
  wantsContent?: WantsContent,
): Promise<LayerIndex> {
  const builder = new LayerBuilder(index);
  const contents = new Map<string, Uint8Array>();
  let files = 0;
  const pending = new Map<TarHeader, string>();
  const result = await walkTar(chunks, {
    entry(h) {
      const kind = builder.add(h);
      if (h.type === "file" || h.type === "contiguous") files++;
      if (kind !== "entry" || !wantsContent || h.size === 0) return 0;
      const e = builder.last();
      if (!e || e.type !== "file") return 0;
      const want = wantsContent(e);
      if (want > 0) pending.set(h, e.path);
      return want;
    },
    content(h, bytes) {
      const p = pending.get(h);
      if (p !== undefined) {
        contents.set(p, bytes);
        pending.delete(h);
      }
    },
  });
  return builder.finish({ entries: result.entries, files, tarBytes: result.bytes }, contents);
}
