import type { ImageConfig } from "./types.js";

/**
 * The layer each history entry built, by history index: entries without
 * empty_layer consume the next diff_id, in order (https://github.com/opencontainers/image-spec/blob/main/config.md, moby
 * image_history.go); empty_layer entries, and extras past the last diff_id,
 * built none (null).
 */
export function historyLayerIndexes(config: ImageConfig): (number | null)[] {
  const layerCount = config.rootfs.diff_ids.length;
  let layer = 0;
  return config.history.map((h) => {
    if (h.empty_layer) return null;
    const i = layer++;
    return i < layerCount ? i : null;
  });
}

/**
 * created_by for each layer (historyLayerIndexes). Missing history gives
 * undefined rather than a guess.
 */
export function layerCreatedBy(config: ImageConfig): (string | undefined)[] {
  const out: (string | undefined)[] = config.rootfs.diff_ids.map(() => undefined);
  historyLayerIndexes(config).forEach((layer, i) => {
    if (layer !== null) out[layer] = config.history[i]?.created_by;
  });
  return out;
}
