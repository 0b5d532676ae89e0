import type { FileEntry, ImageConfig } from "../types.js";
import type { LayerIndex } from "../layer-index.js";
import type { MergedFilesystem } from "../merge-layers.js";
import type { AnalyzerContext, ImageFacts } from "./analyzer.js";

/** Builds the context analyzers see from the walk and merge results. */
export function analyzerContext(
  fs: MergedFilesystem,
  layerIndexes: readonly LayerIndex[],
  config: ImageConfig,
  image: ImageFacts,
): AnalyzerContext {
  const content = (entry: FileEntry): Uint8Array | undefined => {
    const e = entry.type === "hardlink" ? (fs.files.hardlinkTarget(entry) ?? entry) : entry;
    return layerIndexes[e.layer]?.contents.get(e.path);
  };
  // STAND-IN until the merge engineer's identity-preserving merge lands: a
  // hardlink's origin is the file it was bound to; any other entry is its own
  // (true unless the merge rewrote its path through a symlinked parent).
  const origin = (entry: FileEntry): FileEntry =>
    entry.type === "hardlink" ? (fs.files.hardlinkTarget(entry) ?? entry) : entry;
  return { files: fs.files, shadowed: fs.shadowed, unsafe: fs.unsafe, config, image, content, origin };
}
