import { constants } from "node:fs";
import { access, realpath, stat } from "node:fs/promises";
import { dirname, sep } from "node:path";
import { LayerlintError, localInputPath } from "@layerlint/core";

/** A file the command will write, and the flag that named it as the user wrote it (`-o x`, `--report sarif=x`). */
export interface OutputTarget {
  file: string;
  named: string;
}

/**
 * Every check on the outputs, before anything is read: each can be
 * written (checkWritable), and none is the input (refuseOverwritingInput).
 * A scan of a large image must not end in "cannot write the report".
 */
export async function checkOutputs(input: string, outputs: readonly OutputTarget[]): Promise<void> {
  await checkWritable(outputs);
  await refuseOverwritingInput(input, outputs);
}

/** `-` is standard output (`-o -`, `--report sarif=-`), always writable. */
const isStdout = (file: string) => file === "-";

/**
 * One line per unwritable output, as `-o`'s own write error reads:
 * `--report sarif=out/x.sarif: directory out does not exist`. The file
 * is not created here (a failed scan leaves nothing behind); its
 * directory must exist and be writable, and the file itself, if there,
 * must be a writable non-directory (open(2) would say EISDIR, EACCES).
 */
export async function checkWritable(outputs: readonly OutputTarget[]): Promise<void> {
  for (const { file, named } of outputs) {
    if (isStdout(file)) continue;
    const refuse = (why: string) => new LayerlintError("INVALID_INPUT", `${named}: ${why}`);
    const info = await stat(file).catch(() => undefined);
    if (info?.isDirectory()) throw refuse("is a directory");
    if (info) {
      if (!(await writable(file))) throw refuse("permission denied");
      continue;
    }
    const dir = dirname(file);
    const parent = await stat(dir).catch(() => undefined);
    if (!parent) throw refuse(`directory ${dir} does not exist`);
    if (!parent.isDirectory()) throw refuse(`${dir} is not a directory`);
    if (!(await writable(dir))) throw refuse(`cannot create a file in ${dir} (permission denied)`);
  }
}

async function writable(path: string): Promise<boolean> {
  return access(path, constants.W_OK).then(
    () => true,
    () => false,
  );
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
    if (isStdout(file)) continue;
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
