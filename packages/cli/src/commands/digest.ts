import type { Command } from "commander";
import type { RegistrySource } from "@layerlint/core";
import { openInput, type CommonOptions } from "../load.js";
import { addRegistryOptions } from "../registry-flags.js";

/**
 * `layerlint digest REF`: the manifest digest the reference resolves to,
 * as `crane digest` prints it (the index digest for a multi-arch image;
 * with --platform, that platform's manifest).
 */
async function digestCommand(ref: string, opts: CommonOptions): Promise<number> {
  const input = ref.startsWith("docker://") ? ref : `docker://${ref}`;
  // A docker:// input always opens a RegistrySource.
  const source = (await openInput(input, opts)) as RegistrySource;
  try {
    let digest: string;
    if (opts.platform) {
      // The config too: a single-platform image of another platform is an
      // error (openSource's platform check), never a pin for the wrong one.
      await source.config();
      digest = (await source.manifest()).digest;
    } else {
      digest = await source.rootDigest();
    }
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
  addRegistryOptions(cmd).action(async (ref: string, o: CommonOptions) => setCode(await digestCommand(ref, { ...program.opts(), ...o })));
}
