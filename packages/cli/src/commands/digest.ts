import type { Command } from "commander";
import { ScanActivity, withDeadline, type RegistrySource } from "@layerlint/core";
import { openInput, type CommonOptions } from "../load.js";
import { addRegistryOptions } from "../registry-flags.js";
import { timeoutOption } from "../duration.js";

/**
 * `layerlint digest REF`: the manifest digest the reference resolves to,
 * as `crane digest` prints it (the index digest for a multi-arch image;
 * with --platform, that platform's manifest).
 */
async function digestCommand(ref: string, opts: CommonOptions): Promise<number> {
  const input = ref.startsWith("docker://") ? ref : `docker://${ref}`;
  const resolve = async (signal: AbortSignal | undefined): Promise<string> => {
    // A docker:// input always opens a RegistrySource.
    const source = (await openInput(input, opts, signal)) as RegistrySource;
    try {
      if (!opts.platform) return await source.rootDigest();
      // The config too: a single-platform image of another platform is an
      // error (openSource's platform check), never a pin for the wrong one.
      await source.config();
      return (await source.manifest()).digest;
    } finally {
      await source.close();
    }
  };
  let digest: string;
  if (opts.timeout === undefined) digest = await resolve(undefined);
  else {
    const activity = new ScanActivity();
    activity.now("reading the manifest");
    digest = await withDeadline(opts.timeout, undefined, activity, resolve);
  }
  process.stdout.write(`${digest}\n`);
  return 0;
}

export function addDigestCommand(program: Command, setCode: (n: number) => void): void {
  const cmd = program
    .command("digest")
    .description("print the manifest digest a registry reference resolves to (for pinning)")
    .argument("<ref>", "image reference, e.g. nginx:1.25 or docker://registry:5000/team/app:v3")
    .option("--platform <os/arch[/variant]>", "print this platform's manifest digest instead of the index digest")
    .addOption(timeoutOption());
  addRegistryOptions(cmd).action(async (ref: string, o: CommonOptions) => setCode(await digestCommand(ref, { ...program.opts(), ...o })));
}
