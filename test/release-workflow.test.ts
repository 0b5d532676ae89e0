// The release workflow cannot run here (no GitHub runner, no npm rights):
// this checks what can be checked without running it. The tarballs it
// publishes are tested by test/package-install.test.ts.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { repoRoot } from "./helpers/cli.js";

type Step = { uses?: string; run?: string; with?: Record<string, string>; env?: Record<string, string> };
type Workflow = {
  on: { push: { tags: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, { permissions: Record<string, string>; steps: Step[] }>;
};

describe("release workflow (.github/workflows/release.yml)", () => {
  const wf = parse(readFileSync(join(repoRoot, ".github/workflows/release.yml"), "utf8")) as Workflow;
  const job = wf.jobs["publish"]!;
  const runs = job.steps.map((s) => s.run ?? "").join("\n");

  it("publishes the packed tarballs of both packages with npm provenance, on a version tag", () => {
    expect(wf.on.push.tags).toEqual(["v*.*.*"]);
    expect(wf.permissions).toEqual({ contents: "read" });
    expect(job.permissions["id-token"]).toBe("write");
    expect(runs).toMatch(/npm publish --provenance --access public out\/layerlint-core-\*\.tgz/);
    expect(runs).toMatch(/npm publish --provenance --access public out\/layerlint-cli-\*\.tgz/);
    // Core before the CLI, and the install test before either.
    expect(runs.indexOf("layerlint-core-")).toBeLessThan(runs.indexOf("layerlint-cli-"));
    expect(runs.indexOf("test/package-install.test.ts")).toBeLessThan(runs.indexOf("npm publish"));
    // Node 20: the engines floor the packages promise.
    expect(job.steps.find((s) => s.uses?.startsWith("actions/setup-node"))?.with?.["node-version"]).toBe("20");
  });

  it("is documented in docs/releasing.md, which says it has not run", () => {
    const doc = readFileSync(join(repoRoot, "docs/releasing.md"), "utf8");
    expect(doc).toContain(".github/workflows/release.yml");
    expect(doc).toMatch(/has not run/);
    expect(doc).toContain("id-token: write");
  });
});
