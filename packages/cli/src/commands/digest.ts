import type { Command } from "commander";
import { RegistrySource, defaultLimits, openSource, parsePlatform } from "@layerlint/core";
import { addRegistryOptions, registryOptions, type RegistryFlags } from "../registry-flags.js";

export interface DigestOptions extends RegistryFlags {
  platform?: string;
}

/**
 * `layerlint digest REF`: the manifest digest the reference resolves to,
 * as `crane digest` prints it (the index digest for a multi-arch image;
 * with --platform, that platform's manifest).
 */
export async function digestCommand(ref: string, opts: DigestOptions): Promise<number> {
  const input = ref.startsWith("docker://") ? ref : `docker://${ref}`;
  const platform = opts.platform ? parsePlatform(opts.platform) : undefined;
  const source = await openSource(input, { platform, limits: defaultLimits, registry: { ...(await registryOptions(opts)), onProgress: undefined } });
  try {
    if (!(source instanceof RegistrySource)) throw new Error(`${ref}: not a registry reference`);
    const digest = opts.platform ? (await source.manifest()).digest : await source.rootDigest();
    process.stdout.write(`${digest}\n`);
    return 0;
  } finally {
    await source.close();
  }
}

export function addDigestCommand(program: Command, setCode: (n: number) => void): void {
  const cmd = program
    .command("digest")
    .description("print the manifest digest a registry reference resolves to (for pinning)")
    .argument("<ref>", "image reference, e.g. nginx:1.25 or docker://registry:5000/team/app:v3")
    .option("--platform <os/arch[/variant]>", "print this platform's manifest digest instead of the index digest");
  addRegistryOptions(cmd).action(async (ref: string, o: DigestOptions) => setCode(await digestCommand(ref, { ...program.opts(), ...o })));
}
