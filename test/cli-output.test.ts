import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliPath, fixturesOut, runCli } from "./helpers/cli.js";
import { layoutWithExtraLayer, tempDir } from "./helpers/gate.js";
import { editConfig } from "./helpers/layout-edit.js";
import { runCliOnTerminal } from "./helpers/terminal.js";

/** Raw control characters other than "\n": C0, DEL and C1 (\x9b is a one-byte CSI). */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

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

  it("escapes control characters from image content in info text and the gate table", async () => {
    const tmp = await tempDir("layerlint-odd-");
    try {
      // ESC (C0) and CSI (C1) in the input name, created_by, user, cmd, working dir, a port and env.
      const odd = "\x1b[2J\x9b31m";
      const escaped = "\\x1b[2J\\x9b31m";
      const dir = join(tmp.dir, `odd${odd}.oci`);
      await layoutWithExtraLayer(`${fixturesOut}/demo.oci`, dir, { "/opt/odd.txt": "odd\n" }, `RUN echo ${odd}`);
      await editConfig(dir, (c) => {
        c.config.User = `u${odd}`;
        c.config.Cmd = [`x${odd}`];
        c.config.WorkingDir = `/w${odd}`;
        c.config.ExposedPorts = { ...c.config.ExposedPorts, [`80${odd}/tcp`]: {} };
        // A secret under an odd name: secret-env's message, in the fail-on check's details, names it.
        c.config.Env = [...c.config.Env, `ODD=${odd}`, `KEY${odd}=ghp_VRWX73WLxE0r1LyVS6OmIHEFjMv6BG2ofktD`];
      });

      const info = await runCli(["info", dir]);
      expect(info.stderr).toBe("");
      expect(info.code).toBe(0);
      expect(info.stdout).not.toMatch(RAW_CONTROL);
      for (const line of [`image     ${join(tmp.dir, `odd${escaped}.oci`)}`, `RUN echo ${escaped}`, `user        "u\\u001b[2J\\x9b31m"`, `workdir     /w${escaped}`, `80${escaped}/tcp`, `  ODD=${escaped}`]) {
        expect(info.stdout).toContain(line);
      }

      const scan = await runCli(["scan", dir, "--fail-on", "high"]);
      expect(scan.code).toBe(1);
      expect(scan.stdout).not.toMatch(RAW_CONTROL);
      const failOn = scan.stdout.split("\n").find((l) => /^FAIL +fail-on /.test(l));
      expect(failOn).toContain(`secret-env (config Env KEY${escaped} holds a secret`);
    } finally {
      await tmp.cleanup();
    }
  });

  it("on a terminal, an error with no download status line shown is its line alone, with no erase codes", async () => {
    const r = await runCliOnTerminal(["scan", "/nonexistent-dir/image.tar"]);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/^error: \/nonexistent-dir\/image\.tar: no such file or directory[^\x1b\r]*\n$/);
  });
});
