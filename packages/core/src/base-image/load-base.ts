/**
 * `--base REF`: the base image's manifest and config, never its layers, the
 * way `crane config` reads an image. Any input scan takes works (a registry
 * reference, an archive, a layout).
 */
import type { Platform } from "../types.js";
import type { Limits } from "../limits.js";
import type { RegistryOptions } from "../registry/registry-source.js";
import { openSource } from "../sources/open-source.js";
import type { FlagBase } from "./detect-base.js";

export interface LoadBaseOptions {
  /** The scanned image's platform: the base must be the same platform's image. */
  platform: Platform;
  limits?: Partial<Limits> | undefined;
  registry?: RegistryOptions | undefined;
  signal?: AbortSignal | undefined;
  onWarning?: ((message: string) => void) | undefined;
}

export async function loadBase(ref: string, options: LoadBaseOptions): Promise<FlagBase> {
  // --username/--password and --plain-http are for the scanned reference's
  // registry only; the base may live elsewhere. Its credentials come from
  // the docker/podman config, as for any reference.
  const registry = options.registry && { ...options.registry, username: undefined, password: undefined, plainHttp: undefined };
  const source = await openSource(ref, {
    platform: options.platform,
    limits: options.limits,
    registry,
    signal: options.signal,
    onWarning: options.onWarning,
  });
  try {
    const manifest = await source.manifest();
    const config = await source.config();
    return {
      ref,
      name: source.reference,
      digest: manifest.digest,
      diffIds: config.rootfs.diff_ids,
      historyLength: config.history.length,
    };
  } finally {
    await source.close();
  }
}
