import { loadImage, openSource, parsePlatform, type LoadedImage, type WantsContent } from "@layerlint/core";
import { registryOptions, type RegistryFlags } from "./registry-flags.js";

export interface CommonOptions extends RegistryFlags {
  platform?: string;
  debug?: boolean;
}

/** Opens an input and reads every layer once; the source is always closed. */
export async function load(input: string, opts: CommonOptions, wantsContent?: WantsContent): Promise<LoadedImage> {
  const platform = opts.platform ? parsePlatform(opts.platform) : undefined;
  const source = await openSource(input, { platform, registry: await registryOptions(opts) });
  try {
    return await loadImage(source, { wantsContent });
  } finally {
    await source.close();
  }
}
