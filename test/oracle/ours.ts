/**
 * layerlint's side of the runtime comparison, as a user gets it: the built
 * CLI's `files --format json` and `scan --format json` with the gate
 * `--forbid shell,setuid --require-non-root` (one run gives the findings
 * and the gate's exit code). `files` leaves out the root directory "/", so
 * that one entry is read through the core library.
 */
import { fileRecord, loadImage, openSource, parsePlatform } from "../../packages/core/dist/index.js";
import { parseJsonLines, runCli } from "../helpers/cli.js";
import type { OurFinding, OurRecord, Ours } from "./compare.js";

export const GATE_FLAGS = ["--forbid", "shell,setuid", "--require-non-root"];

export interface OursRun extends Ours {
  /** Exit code of the gated scan. */
  gate: number;
  /** Problems running layerlint itself (a non-zero `files`, an unparsable report). */
  errors: string[];
}

async function rootRecord(input: string, platform: string | undefined): Promise<OurRecord | undefined> {
  const source = await openSource(input, platform === undefined ? {} : { platform: parsePlatform(platform) });
  try {
    const img = await loadImage(source, { layerWorkers: "never" });
    const root = img.fs.files.get("/");
    return root === undefined ? undefined : fileRecord(root);
  } finally {
    await source.close();
  }
}

export async function oursFor(input: string, platform?: string): Promise<OursRun> {
  const flags = platform === undefined ? [] : ["--platform", platform];
  const errors: string[] = [];
  const [files, scan] = await Promise.all([
    runCli(["files", input, "--format", "json", ...flags]),
    runCli(["scan", input, "--format", "json", ...GATE_FLAGS, ...flags]),
  ]);
  let records: OurRecord[] = [];
  if (files.code !== 0) errors.push(`layerlint files exited ${files.code}: ${files.stderr.trim()}`);
  else records = parseJsonLines<OurRecord>(files.stdout);
  let findings: OurFinding[] = [];
  if (scan.code === 0 || scan.code === 1) findings = (JSON.parse(scan.stdout) as { findings: OurFinding[] }).findings;
  else errors.push(`layerlint scan exited ${scan.code}: ${scan.stderr.trim()}`);
  let root: OurRecord | undefined;
  try {
    root = await rootRecord(input, platform);
  } catch (e) {
    errors.push(`loading the image in-process failed: ${(e as Error).message}`);
  }
  if (root === undefined && errors.length === 0) errors.push("layerlint has no root directory entry");
  return { files: records, findings, root: root ?? { path: "/", type: "dir", mode: "?", uid: -1, gid: -1, size: 0 }, gate: scan.code, errors };
}
