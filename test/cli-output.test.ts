import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cliPath, fixturesOut, runCli } from "./helpers/cli.js";

// Output rules: a failed write is an error (exit 2), a reader that closes
// early is not, and nothing is left behind when the main output fails.
describe("CLI output", () => {
  it("exits 2 with one line when --output cannot be written", async () => {
    const r = await runCli(["scan", `${fixturesOut}/demo.oci`, "-o", "/nonexistent-dir/x.json"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: \/nonexistent-dir\/x\.json: .*no such file or directory.*\n$/);
  });

  it("writes no extra report when the main output fails", async () => {
    const report = `/tmp/layerlint-extra-${process.pid}.sarif`;
    const r = await runCli(["scan", `${fixturesOut}/demo.oci`, "-o", "/nonexistent-dir/x", "--report", `sarif=${report}`]);
    expect(r.code).toBe(2);
    expect(existsSync(report)).toBe(false);
  });

  it("stops quietly when the reader closes the pipe", () => {
    const r = spawnSync("sh", ["-c", `node ${cliPath} files ${fixturesOut}/demo.oci | head -1; exit \${PIPESTATUS:-0}`], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n").filter(Boolean)).toHaveLength(1);
    const direct = spawnSync("bash", ["-c", `node ${cliPath} files ${fixturesOut}/demo.oci | head -1 >/dev/null; echo \${PIPESTATUS[0]}`], { encoding: "utf8" });
    expect(direct.stdout.trim()).toBe("0");
  });

  it("masks credentials in info's cmd, env and created_by", async () => {
    const r = await runCli(["info", `${fixturesOut}/demo.oci`, "--format", "json"]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/ghp_[A-Za-z0-9]{2,}/);
  });
});
