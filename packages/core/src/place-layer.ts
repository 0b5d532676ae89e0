import type { FileEntry } from "./types.js";
import type { LayerIndex } from "./layer-index.js";

/**
 * A layer walked before its position in the image was known (a member of
 * a streamed archive, walked as position 0: archive-pass.ts) takes its
 * position: the index, every entry's `layer` and the unsafe records. The
 * entries stay the objects the walk made, which the content captures and
 * the analyzers' per-scan state are keyed by.
 */
export function placeLayer(index: LayerIndex, position: number): LayerIndex {
  index.index = position;
  for (const e of index.entries) e.layer = position;
  for (const u of index.unsafe) u.layer = position;
  for (const c of index.unsafeCounts) c.layer = position;
  return index;
}

/**
 * The same walk at another position: one blob that an image lists twice
 * (an identical layer repeated) and that cannot be read again. Every entry
 * is a new object, as a second walk would make; `copies` pairs each with
 * the entry it copies, so captured content and streaming analyzers' records
 * follow it (ContentScan.copied).
 */
export function copyLayer(index: LayerIndex, position: number): { index: LayerIndex; copies: [FileEntry, FileEntry][] } {
  const map = new Map<FileEntry, FileEntry>();
  const copies: [FileEntry, FileEntry][] = [];
  const entries = index.entries.map((e) => {
    const c: FileEntry = { ...e, layer: position };
    map.set(e, c);
    copies.push([c, e]);
    return c;
  });
  const of = (e: FileEntry): FileEntry => map.get(e) ?? e;
  const rekey = <V>(m: Map<FileEntry, V>, value: (v: V) => V = (v) => v): Map<FileEntry, V> =>
    new Map([...m].map(([k, v]) => [of(k), value(v)]));
  return {
    index: {
      index: position,
      entries,
      marks: { kind: [...index.marks.kind], path: [...index.marks.path], at: [...index.marks.at] },
      unsafe: index.unsafe.map((u) => ({ ...u, layer: position })),
      unsafeCounts: index.unsafeCounts.map((c) => ({ ...c, layer: position })),
      duplicates: [...index.duplicates],
      linkNames: rekey(index.linkNames),
      aufsLinks: rekey(index.aufsLinks, of),
      mobySkippedLinks: new Set([...index.mobySkippedLinks].map(of)),
      rootedNames: new Set([...index.rootedNames].map(of)),
      contents: rekey(index.contents),
      stats: { ...index.stats },
    },
    copies,
  };
}
