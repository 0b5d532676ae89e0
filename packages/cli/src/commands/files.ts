import { fileRecord, symbolicMode, type FileEntry } from "@layerlint/core";
import { load, outputFlag, type CommonOptions } from "../load.js";
import { openOutput } from "../output.js";
import { printable } from "../printable.js";

export interface FilesOptions extends CommonOptions {
  format: "text" | "json";
  output?: string;
}

/** `layerlint files`: the final filesystem, ls-like or one JSON object per line. */
export async function filesCommand(input: string, opts: FilesOptions): Promise<number> {
  const image = await load(input, opts, outputFlag(opts.output));
  const out = openOutput(opts.output);
  for (const e of image.fs.files) {
    if (e.path === "/") continue;
    out.write(opts.format === "json" ? `${JSON.stringify(fileRecord(e))}\n` : `${textLine(e)}\n`);
  }
  await out.end();
  return 0;
}

function textLine(e: FileEntry): string {
  const owner = `${e.uid}/${e.gid}`.padEnd(11);
  const size = String(e.size).padStart(10);
  const link = e.type === "symlink" ? ` -> ${e.linkTarget}` : e.type === "hardlink" ? ` link to ${e.linkTarget}` : "";
  return printable(`${symbolicMode(e.type, e.mode)} ${owner} ${size}  L${e.layer}  ${e.path}${link}`);
}
