// What "the same scan" means across sources: the same `files` listing and
// the same findings. Findings about the reference itself (latest-tag,
// unpinned-reference) exist only for registry inputs, so they are compared
// separately.
import { expect } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";

export const REFERENCE_RULES = new Set(["latest-tag", "unpinned-reference"]);

export interface Finding {
  ruleId: string;
  [k: string]: unknown;
}

export function ok(r: CliResult, what: string): string {
  if (r.code !== 0) throw new Error(`${what}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

export async function filesJson(input: string, extra: string[] = [], env?: NodeJS.ProcessEnv, stdin?: string): Promise<string> {
  return ok(await runCli(["files", input, "--format", "json", "--quiet", ...extra], { env, input: stdin }), `files ${input}`);
}

export async function scanJson(input: string, extra: string[] = [], env?: NodeJS.ProcessEnv, stdin?: string): Promise<{ image: Record<string, unknown>; findings: Finding[] }> {
  return JSON.parse(ok(await runCli(["scan", input, "--format", "json", "--quiet", ...extra], { env, input: stdin }), `scan ${input}`)) as {
    image: Record<string, unknown>;
    findings: Finding[];
  };
}

export function imageFindings(findings: Finding[]): Finding[] {
  return findings.filter((f) => !REFERENCE_RULES.has(f.ruleId));
}

export interface SameImageOptions {
  /** Flags for both runs (e.g. --platform). */
  extra?: string[];
  /** Flags for the registry run only (e.g. --username). */
  remoteExtra?: string[];
  env?: NodeJS.ProcessEnv;
  stdin?: string;
}

/** Asserts the registry scan equals the local one in files and findings. */
export async function expectSameImage(local: string, remote: string, o: SameImageOptions = {}): Promise<void> {
  const extra = o.extra ?? [];
  const rx = [...extra, ...(o.remoteExtra ?? [])];
  const [lf, rf, ls, rs] = await Promise.all([
    filesJson(local, extra),
    filesJson(remote, rx, o.env, o.stdin),
    scanJson(local, extra),
    scanJson(remote, rx, o.env, o.stdin),
  ]);
  expect(rf.split("\n").length).toBeGreaterThan(3);
  expect(rf).toBe(lf);
  expect(imageFindings(rs.findings)).toEqual(imageFindings(ls.findings));
  expect(rs.image.manifestDigest).toBe(ls.image.manifestDigest);
  expect(rs.image.source).toBe("registry");
}
