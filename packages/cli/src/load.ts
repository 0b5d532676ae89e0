import { loadImage, openSource, parsePlatform, type ImageSource, type LoadedImage, type WantsContent } from "@layerlint/core";
import { registryOptions, type RegistryFlags } from "./registry-flags.js";

export interface CommonOptions extends RegistryFlags {
  platform?: string;
}

/** Opens an input with --platform and the registry flags; the caller closes it. */
export async function openInput(input: string, opts: CommonOptions): Promise<ImageSource> {
  const platform = opts.platform ? parsePlatform(opts.platform) : undefined;
  return openSource(input, { platform, registry: await registryOptions(opts) });
}

/** Opens an input and reads every layer once; the source is always closed. */
export async function load(input: string, opts: CommonOptions, wantsContent?: WantsContent): Promise<LoadedImage> {
  const source = await openInput(input, opts);
  try {
    return await loadImage(source, { wantsContent });
  } finally {
    await source.close();
  }
}
