import type { Readable } from "node:stream";
import { LayerlintError, readsStdin } from "@layerlint/core";
import type { RegistryFlags } from "./registry-flags.js";

/**
 * Standard input for an input that reads it (`-`, `docker-archive:-:REF`),
 * checked before anything reads stdin: not with --password-stdin, which
 * reads it too, and not from a terminal, where nobody types a tar archive.
 */
export function stdinFor(input: string, flags: RegistryFlags): (() => Readable) | undefined {
  if (!readsStdin(input)) return undefined;
  if (flags.passwordStdin) {
    throw new LayerlintError("INVALID_INPUT", `--password-stdin and the input ${input} both read standard input; registry credentials are for registry inputs`);
  }
  if (process.stdin.isTTY) {
    throw new LayerlintError("INVALID_INPUT", `${input}: standard input is a terminal; pipe an image archive in (docker save IMAGE | layerlint scan -)`);
  }
  return () => process.stdin;
}
