import type { ImageConfig, ImageSource, Platform } from "../types.js";
import { requireImagePlatform } from "../platform.js";

/**
 * With a platform asked for, `source.config()` fails unless the image it
 * resolved to is that platform (requireImagePlatform), for every kind of
 * input: a registry manifest, an OCI layout entry chosen by name, a
 * docker save archive. Choosing among an index's children already honours
 * the platform; this catches the image that had no index to choose from.
 * Every reader of an image takes its config before any layer (loadImage),
 * so nothing is read from an image of the wrong platform. The source keeps
 * its own class (a RegistrySource stays one): only `config` is replaced.
 */
export function withPlatformCheck<S extends ImageSource>(source: S, wanted: Platform | undefined): S {
  if (wanted === undefined) return source;
  const read = source.config.bind(source);
  let checked: Promise<ImageConfig> | undefined;
  source.config = () => {
    checked ??= (async () => {
      const manifest = await source.manifest();
      const config = await read();
      const recorded: Platform = { os: config.os, architecture: config.architecture };
      if (config.variant) recorded.variant = config.variant;
      requireImagePlatform(wanted, manifest.platform, recorded, source.description);
      return config;
    })();
    return checked;
  };
  return source;
}
