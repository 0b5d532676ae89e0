import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./helpers/cli.js";

// The README's library example is run as written, so it cannot drift.
describe("README library example", () => {
  it("runs and prints the demo image's summary", async () => {
    const readme = await readFile(`${repoRoot}README.md`, "utf8");
    const block = /<!-- example:library -->\s*```ts\n([\s\S]*?)```/.exec(readme);
    expect(block, "README has a ```ts block after <!-- example:library -->").not.toBeNull();
    const code = block![1]!.replace(`from "@layerlint/core"`, `from ${JSON.stringify(`${repoRoot}packages/core/dist/index.js`)}`);
    const dir = await mkdtemp(`${tmpdir()}/layerlint-readme-`);
    try {
      await writeFile(`${dir}/example.mjs`, code);
      const r = spawnSync(process.execPath, [`${dir}/example.mjs`], { cwd: repoRoot, encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^linux\/amd64: \d+ findings, 2 critical\n/);
      expect(r.stdout).toContain("secret-private-key /app/config/server.key");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
