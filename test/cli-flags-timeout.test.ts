// --timeout DURATION covers the whole command, for registry and local
// inputs alike: exit 2, nothing on stdout, and one line naming what was
// still running, promptly after the deadline.
import { execFileSync, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath, fixturesOut, runCli, type CliResult } from "./helpers/cli.js";
import { startDripRegistry, type DripRegistry } from "./helpers/drip-registry.js";
import { tempDir } from "./helpers/gate.js";

/** How long past the deadline the CLI may take to stop: core's cleanup grace (2 s) and process start-up on a loaded machine. */
const SLACK_MS = 6000;

async function timed(run: () => Promise<CliResult>): Promise<CliResult & { ms: number }> {
  const t0 = performance.now();
  const r = await run();
  return { ...r, ms: performance.now() - t0 };
}

function expectTimeout(r: CliResult & { ms: number }, deadlineMs: number, stillRunning: RegExp): void {
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: "" });
  const lines = r.stderr.split("\n").filter((l) => !l.startsWith("pulled layer "));
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^error: scan did not finish within \d+s; still running: /);
  expect(lines[0]!.replace(/^error: scan did not finish within \d+s; still running: /, "")).toMatch(stillRunning);
  expect(r.ms).toBeGreaterThanOrEqual(deadlineMs);
  expect(r.ms).toBeLessThan(deadlineMs + SLACK_MS);
}

describe("--timeout on a registry input", () => {
  let layers: DripRegistry;
  let manifest: DripRegistry;
  beforeAll(async () => {
    // Ten bytes every 100 ms: the demo image's layers would take minutes.
    layers = await startDripRegistry(`${fixturesOut}/demo.oci`, "slow", "v1", { layers: { bytes: 10, everyMs: 100 } });
    manifest = await startDripRegistry(`${fixturesOut}/demo.oci`, "slow", "v1", { manifest: { bytes: 1, everyMs: 500 } });
  });
  afterAll(async () => {
    await layers.close();
    await manifest.close();
  });

  it("scan stops at the deadline with the layers in flight named", async () => {
    const r = await timed(() => runCli(["scan", `${layers.host}/slow:v1`, "--plain-http", "--timeout", "2s"]));
    expectTimeout(r, 2000, /^layer \d\/\d sha256:[0-9a-f]{12}… [\d.]+ k?B of [\d.]+ k?B read(, layer \d\/\d sha256:[0-9a-f]{12}… [\d.]+ k?B of [\d.]+ k?B read)*( and \d+ more layers?)?$/);
  });

  it.each(["scan", "files", "info", "digest"])("%s stops at the deadline while the manifest is still arriving", async (cmd) => {
    const r = await timed(() => runCli([cmd, `${manifest.host}/slow:v1`, "--plain-http", "--timeout", "1s"]));
    expectTimeout(r, 1000, /^reading the manifest$/);
  });
});

describe("--timeout on a local input", () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    tmp = await tempDir("layerlint-timeout-");
  });
  afterAll(async () => tmp.cleanup());

  it.each(["scan", "files", "info"])("%s of a FIFO whose writer never writes stops at the deadline", async (cmd) => {
    const fifo = `${tmp.dir}/${cmd}.fifo`;
    execFileSync("mkfifo", [fifo]);
    // A writer that holds the FIFO open and writes nothing.
    const writer = spawn("sh", ["-c", `exec sleep 60 > "$0"`, fifo], { stdio: "ignore" });
    try {
      const r = await timed(() => runCli([cmd, fifo, "--timeout", "1s"]));
      expectTimeout(r, 1000, new RegExp(`^reading ${fifo.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
    } finally {
      writer.kill();
    }
  });

  it("scan - of a docker save archive that stops arriving on stdin stops at the deadline, saying how far it got", async () => {
    const archive = await readFile(`${fixturesOut}/demo.docker.tar`);
    const t0 = performance.now();
    const child = spawn(process.execPath, [cliPath, "scan", "-", "--timeout", "1s"], { env: { ...process.env, NO_COLOR: "1" }, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    // Part of the archive, then nothing more, with stdin left open.
    child.stdin.write(archive.subarray(0, 2048));
    const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? -1)));
    child.stdin.destroy();
    const r = { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), ms: performance.now() - t0 };
    expectTimeout(r, 1000, /^reading standard input: [\d.]+ k?B of the archive read$/);
  });
});
