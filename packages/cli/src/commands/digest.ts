import type { Command } from "commander";
import { LayerlintError, RegistrySource, ScanActivity, SYNTHESIZED_DIGEST, withDeadline, type ImageManifest } from "@layerlint/core";
import { openInput, type CommonOptions } from "../load.js";
import { addRegistryOptions } from "../registry-flags.js";
import { timeoutOption } from "../duration.js";

/**
 * `layerlint digest INPUT`: the manifest digest the input resolves to,
 * as `crane digest` prints it (the index digest for a multi-platform
 * image; with --platform, that platform's manifest). A local input is
 * read, not pulled: an OCI layout's or archive's chosen manifest, or the
 * index it was chosen from.
 */
async function digestCommand(ref: string, opts: CommonOptions): Promise<number> {
  // Read as scan reads it: a local input is read, never pulled, and a
  // mistyped transport or a missing file is named as such.
  const resolve = async (signal: AbortSignal | undefined): Promise<string> => {
    const source = await openInput(ref, opts, signal);
    try {
      if (opts.platform) {
        // The config too: a single-platform image of another platform is an
        // error (openSource's platform check), never a pin for the wrong one.
        await source.config();
        return (await source.manifest()).digest;
      }
      if (source instanceof RegistrySource) return await source.rootDigest();
      const m = await source.manifest();
      refuseSynthesized(ref, m);
      return m.fromIndex?.digest ?? m.digest;
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

/** A digest layerlint made up is no pin: no registry or runtime knows it. */
function refuseSynthesized(input: string, m: ImageManifest): void {
  if (!m.layers.some((l) => l.annotations?.[SYNTHESIZED_DIGEST] !== undefined)) return;
  throw new LayerlintError(
    "INVALID_INPUT",
    `${input}: docker save's manifest.json records no manifest, so this image has no manifest digest (its config digest, docker's image ID, is ${m.config.digest}); if it came from Docker 25 or later, it also holds an OCI layout with the real one: read it as oci-archive:FILE`,
  );
}

export function addDigestCommand(program: Command, setCode: (n: number) => void): void {
  const cmd = program
    .command("digest")
    .description("print the manifest digest an image resolves to (for pinning): the index digest for a multi-platform image")
    .argument("<input>", "image reference (nginx:1.25, docker://registry:5000/team/app:v3) or a local input: oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE[:REF], a path")
    .option("--platform <os/arch[/variant]>", "print this platform's manifest digest instead of the index digest")
    .addOption(timeoutOption());
  addRegistryOptions(cmd).action(async (ref: string, o: CommonOptions) => setCode(await digestCommand(ref, { ...program.opts(), ...o })));
}
