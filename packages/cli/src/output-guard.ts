import { realpath, stat } from "node:fs/promises";
import { sep } from "node:path";
import { LayerlintError, localInputPath } from "@layerlint/core";

/** A file the command will write, and the flag that named it as the user wrote it (`-o x`, `--report sarif=x`). */
export interface OutputTarget {
  file: string;
  named: string;
}

/**
 * Refuses, before anything is read, an output that would overwrite the
 * image being scanned: the same file as the input (same device and inode,
 * so a hard link or a symlink to it counts too), or an existing file inside
 * an input layout directory. A file that does not exist yet cannot be the
 * input; writing it is safe.
 */
export async function refuseOverwritingInput(input: string, outputs: readonly OutputTarget[]): Promise<void> {
  if (outputs.length === 0) return;
  const inputPath = await localInputPath(input);
  if (inputPath === undefined) return;
  const inputStat = await stat(inputPath);
  const inputReal = await realpath(inputPath);
  for (const { file, named } of outputs) {
    const out = await stat(file).catch(() => undefined);
    if (out === undefined) continue;
    if (out.dev === inputStat.dev && out.ino === inputStat.ino) {
      throw new LayerlintError("INVALID_INPUT", `${named} is the input image; refusing to overwrite it`);
    }
    if (inputStat.isDirectory() && (await realpath(file)).startsWith(inputReal + sep)) {
      throw new LayerlintError("INVALID_INPUT", `${named} is inside the input image ${inputPath}; refusing to overwrite it`);
    }
  }
}
