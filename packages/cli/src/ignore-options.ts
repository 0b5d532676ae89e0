/**
 * Ignores from the command line: repeatable `--ignore RULE[:PATH-GLOB]`,
 * and an ignore file of rule IDs like `.trivyignore`
 * (https://trivy.dev/latest/docs/configuration/filtering/#trivyignore):
 * `--ignorefile FILE` (trivy's flag name), else `.layerlintignore` in the
 * working directory when there is one and no policy is named. Each becomes a policy ignore, so
 * the policy file's own ignores (with their reasons and expiries) stay the
 * reviewed way and these are the quick one. `--hide-ignored` leaves ignored
 * findings out of the human and CI reports; JSON keeps them, marked.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { allRules, LayerlintError, parseIgnoreEntry, parseIgnoreFile, type IgnoreRule } from "@layerlint/core";
import { printWarning, stderrLine } from "./registry-flags.js";

export const IGNORE_FILE = ".layerlintignore";

export interface IgnoreFlags {
  ignore?: string[];
  ignorefile?: string;
  hideIgnored?: boolean;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function addIgnoreOptions(cmd: Command): Command {
  return cmd
    .option("--ignore <rule[:path-glob]>", "ignore a rule's findings, or only those under a path glob, e.g. setuid-binary:/usr/local/bin/* (repeatable)", collect)
    .option("--ignorefile <file>", `file of rule IDs to ignore, one per line, # comments (default: ${IGNORE_FILE} in the working directory, unless --policy or --no-policy is given)`)
    .option("--hide-ignored", "leave ignored findings out of the text, markdown, JUnit and SARIF reports (JSON keeps them, marked)");
}

/** The ignores the flags and the ignore file ask for, as policy ignores; warnings for unknown rule IDs. */
/**
 * `policy`: the --policy flag (a file name, false for --no-policy, or
 * undefined when neither is given).
 */
export async function loadIgnores(flags: IgnoreFlags, cwd: string, policy?: string | false): Promise<IgnoreRule[]> {
  const known = new Set(allRules.map((r) => r.id));
  const rules: IgnoreRule[] = [];
  for (const v of flags.ignore ?? []) {
    const { rule, warning } = parseIgnoreEntry(v, "--ignore", known);
    rules.push(rule);
    if (warning !== undefined) printWarning(warning);
  }
  const present = flags.ignorefile === undefined && existsSync(join(cwd, IGNORE_FILE));
  // A named policy (--policy FILE) or --no-policy is the reviewed gate: a
  // .layerlintignore that a change to the working tree drops in must not
  // quietly excuse findings under it. It is then read only when named.
  const picked = present && policy === undefined;
  if (present && !picked) stderrLine(`ignores: ${IGNORE_FILE} not read: ${policy === false ? "--no-policy" : "--policy"} is given; --ignorefile ${IGNORE_FILE} reads it`);
  const file = flags.ignorefile ?? (picked ? IGNORE_FILE : undefined);
  if (file === undefined) return rules;
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LayerlintError("POLICY_INVALID", `ignores: cannot read ${file}${code ? ` (${code})` : ""}`);
  }
  const parsed = parseIgnoreFile(text, file, known);
  if (picked) stderrLine(`ignores: ${file} (${parsed.rules.length} rule${parsed.rules.length === 1 ? "" : "s"})`);
  for (const w of parsed.warnings) printWarning(w);
  return [...rules, ...parsed.rules];
}
