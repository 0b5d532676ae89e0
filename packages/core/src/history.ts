import type { ImageConfig } from "./types.js";

/**
 * created_by for each layer: history entries without empty_layer consume
 * the next diff_id, in order (SPECS §8, moby image_history.go). Missing
 * history gives undefined rather than a guess.
 */
export function layerCreatedBy(config: ImageConfig): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  for (const h of config.history) {
    if (h.empty_layer) continue;
    out.push(h.created_by);
  }
  return config.rootfs.diff_ids.map((_, i) => out[i]);
}
