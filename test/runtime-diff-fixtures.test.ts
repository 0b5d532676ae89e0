// The differential test against real container runtimes, on every fixture
// image (fixtures/out, written by the vitest global setup): layerlint's
// `files` listing and user verdict must equal what containerd's
// archive.Apply / oci.WithUser and moby's UnpackLayer / runc's GetExecUser
// give (test/oracle/verdict.ts).
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureImages, writeLayers } from "./oracle/fixture-images.js";
import { runOracle, type OracleResult } from "./oracle/oracle.js";
import { oursFor } from "./oracle/ours.js";
import { treeVerdictProblems, userProblems } from "./oracle/verdict.js";

const images = await fixtureImages();

describe("runtime oracle: fixture images", () => {
  let tmp: string;
  const oracle = new Map<string, OracleResult>();

  beforeAll(async () => {
    tmp = await mkdtemp(`${os.tmpdir()}/layerlint-runtime-fixtures-`);
    const cases = await Promise.all(
      images.map(async (img, i) => ({ layers: await writeLayers(`${tmp}/img${i}`, img.layers), user: img.user })),
    );
    const results = await runOracle(cases, tmp);
    images.forEach((img, i) => oracle.set(img.label, results[i]!));
  }, 600_000);

  afterAll(async () => {
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  });

  it("finds the fixture images", () => {
    // Not vacuous: the layouts the fixture generator writes, multi-platform ones expanded.
    expect(images.length).toBeGreaterThanOrEqual(12);
    expect(images.some((i) => i.platform === "linux/arm64/v8")).toBe(true);
  });

  it("the fixtures exercise what the comparison covers", () => {
    // Guards against the comparison going vacuous if the fixtures change.
    const all = [...oracle.values()].flatMap((o) => o.containerd.tree);
    expect(all.some((e) => e.capability !== null)).toBe(true);
    expect(all.some((e) => e.type === "file" && (parseInt(e.mode, 8) & 0o4000) !== 0)).toBe(true);
    expect(all.some((e) => e.type === "file" && e.nlink > 1)).toBe(true);
    for (const t of ["symlink", "fifo", "char", "block", "dir"]) expect(all.some((e) => e.type === t), t).toBe(true);
    expect([...oracle.values()].some((o) => o.containerd.users["containerd"]?.uid === 0)).toBe(true);
    expect([...oracle.values()].some((o) => (o.moby.users["moby"]?.uid ?? 0) !== 0)).toBe(true);
  });

  it.each(images.map((img) => [img.label, img] as const))("%s", async (_label, img) => {
    const o = oracle.get(img.label)!;
    expect(o.containerd.error, "containerd unpacks every fixture").toBeNull();
    expect(o.moby.error, "moby unpacks every fixture").toBeNull();
    expect(o.containerd.tree.length).toBeGreaterThan(1);
    const ours = await oursFor(img.input, img.platform);
    expect(ours.errors).toEqual([]);
    expect([...treeVerdictProblems(o, ours), ...userProblems(o, ours.findings)]).toEqual([]);
  });
});
