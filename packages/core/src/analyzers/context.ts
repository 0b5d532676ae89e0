import type { FileEntry, ImageConfig } from "../types.js";
import type { LayerIndex } from "../layer-index.js";
import type { MergedFilesystem } from "../merge-layers.js";
import type { AnalyzerContext, ImageFacts } from "./analyzer.js";

const EMPTY = new Uint8Array(0);

/** Builds the context analyzers see from the walk and merge results. */
export function analyzerContext(
  fs: MergedFilesystem,
  layerIndexes: readonly LayerIndex[],
  config: ImageConfig,
  image: ImageFacts,
): AnalyzerContext {
  const origin = (entry: FileEntry): FileEntry => fs.files.origin(entry);
  // Content is keyed by the walk-time entry object, never by path: a file
  // written through a symlinked parent, every name of a hardlinked inode and
  // every shadowed copy find their bytes through their origin.
  // An empty regular file's whole content is known without reading it (the walk captures nothing for it).
  const content = (entry: FileEntry): Uint8Array | undefined => {
    const o = fs.files.origin(entry);
    return layerIndexes[o.layer]?.contents.get(o) ?? (o.type === "file" && o.size === 0 ? EMPTY : undefined);
  };
  return {
    files: fs.files,
    shadowed: fs.shadowed,
    unsafe: fs.unsafe,
    unsafeCounts: fs.unsafeCounts,
    config,
    image,
    content,
    origin,
  };
}
