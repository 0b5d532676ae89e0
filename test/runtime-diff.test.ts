// The differential test against real container runtimes, on the generated
// corpus (test/oracle/corpus*.ts): for every case the oracle unpacks the
// layers with containerd's archive.Apply and moby's UnpackLayer (each in a
// chroot) and resolves the config user as containerd and docker/runc do;
// layerlint's `files` listing, findings, user verdict and gate exit code
// must agree with it (test/oracle/verdict.ts says exactly how).
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corpus, writeCase, type BuiltImage, type Family } from "./oracle/corpus.js";
import { runOracle, type OracleResult } from "./oracle/oracle.js";
import { oursFor } from "./oracle/ours.js";
import { appliedBy, runtimeGate, treeVerdictProblems, userProblems } from "./oracle/verdict.js";

const FAMILIES: readonly Family[] = ["tar reader", "hardlink headers", "files we cannot see", "user resolution", "path semantics", "tree"];

describe("runtime oracle: generated corpus", () => {
  let tmp: string;
  const built = new Map<string, BuiltImage>();
  const oracle = new Map<string, OracleResult>();

  beforeAll(async () => {
    tmp = await mkdtemp(`${os.tmpdir()}/layerlint-runtime-diff-`);
    for (const c of corpus) built.set(c.id, await writeCase(`${tmp}/${c.id}`, c));
    const results = await runOracle(
      corpus.map((c) => ({ layers: built.get(c.id)!.layerFiles, user: built.get(c.id)!.user })),
      tmp,
    );
    corpus.forEach((c, i) => oracle.set(c.id, results[i]!));
  }, 600_000);

  afterAll(async () => {
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  });

  it("covers every family, and every case id is unique", () => {
    expect(new Set(corpus.map((c) => c.family))).toEqual(new Set(FAMILIES));
    expect(new Set(corpus.map((c) => c.id)).size).toBe(corpus.length);
  });

  it.each(corpus)("$family: $id", async (c) => {
    const o = oracle.get(c.id)!;
    // The case's own statements hold for the real runtimes (else the case is wrong, not layerlint).
    expect(appliedBy(o), `which runtimes unpack it: ${o.containerd.error ?? ""} ${o.moby.error ?? ""}`).toBe(c.appliedBy ?? "both");
    expect(runtimeGate(o), "the gate verdict the runtimes imply").toBe(c.gate);
    expect(o.containerd.escaped, "containerd wrote outside its root").toEqual([]);

    const ours = await oursFor(built.get(c.id)!.input);
    expect(ours.errors).toEqual([]);
    const problems = [...treeVerdictProblems(o, ours), ...userProblems(o, ours.findings)];
    if (ours.gate !== c.gate) problems.push(`gate: scan --forbid shell,setuid --require-non-root exited ${ours.gate}, want ${c.gate}`);
    expect(problems, c.about).toEqual([]);
  });
});
