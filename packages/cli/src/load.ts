import { loadImage, openSource, parsePlatform, ScanActivity, withDeadline, type ImageSource, type LoadedImage, type WantsContent } from "@layerlint/core";
import { printWarning, registryOptions, type RegistryFlags } from "./registry-flags.js";
import { checkOutputs, type OutputTarget } from "./output-guard.js";
import { stdinFor } from "./stdin-input.js";

export interface CommonOptions extends RegistryFlags {
  platform?: string;
  /** `--timeout`, already in milliseconds (parseDuration). */
  timeout?: number;
}

/** Opens an input with --platform and the registry flags; the caller closes it. */
export async function openInput(input: string, opts: CommonOptions, signal?: AbortSignal): Promise<ImageSource> {
  const platform = opts.platform ? parsePlatform(opts.platform) : undefined;
  const stdin = stdinFor(input, opts);
  return openSource(input, { platform, registry: await registryOptions(opts), onWarning: printWarning, signal, stdin });
}

/**
 * Opens an input and reads every layer once; the source is always closed.
 * `outputs`: the files the command will write, refused first if one cannot
 * be written or is the input.
 */
export async function load(input: string, opts: CommonOptions, outputs: OutputTarget[], wantsContent?: WantsContent): Promise<LoadedImage> {
  await checkOutputs(input, outputs);
  return withSource(input, opts, (source, signal, activity) => loadImage(source, { wantsContent, signal, activity }));
}

/** Runs `read` on the opened input, under --timeout when given; the source is always closed. */
export async function withSource<T>(
  input: string,
  opts: CommonOptions,
  read: (source: ImageSource, signal: AbortSignal | undefined, activity: ScanActivity | undefined) => Promise<T>,
): Promise<T> {
  const run = async (signal: AbortSignal | undefined, activity?: ScanActivity): Promise<T> => {
    const source = await openInput(input, opts, signal);
    try {
      return await read(source, signal, activity);
    } finally {
      await source.close();
    }
  };
  if (opts.timeout === undefined) return run(undefined);
  const activity = new ScanActivity();
  return withDeadline(opts.timeout, undefined, activity, (signal) => run(signal, activity));
}

/** `-o FILE` as an OutputTarget list (empty for stdout). */
export const outputFlag = (file: string | undefined): OutputTarget[] => (file === undefined ? [] : [{ file, named: `-o ${file}` }]);
