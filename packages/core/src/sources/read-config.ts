import type { Descriptor, ImageConfig, ImageManifest } from "../types.js";
import { LayerlintError, shortDigest } from "../errors.js";
import { parseJson } from "../parse-json.js";
import { configSchema } from "../schemas.js";

/** Parses config bytes and checks them against the manifest's layers. */
export function readConfig(bytes: Uint8Array, desc: Descriptor, manifest: ImageManifest): ImageConfig {
  const what = `config ${shortDigest(desc.digest)}`;
  const c = parseJson(bytes, configSchema, what, "CONFIG_INVALID");
  if (c.rootfs.diff_ids.length !== manifest.layers.length) {
    throw new LayerlintError(
      "LAYER_COUNT_MISMATCH",
      `${what}: ${c.rootfs.diff_ids.length} diff_ids for ${manifest.layers.length} layers`,
    );
  }
  return {
    digest: desc.digest,
    architecture: c.architecture,
    os: c.os,
    variant: c.variant,
    created: c.created,
    config: (c.config ?? {}) as ImageConfig["config"],
    rootfs: { type: "layers", diff_ids: c.rootfs.diff_ids },
    history: (c.history ?? []) as ImageConfig["history"],
  };
}
