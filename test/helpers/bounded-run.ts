// Runs a Node script (the CLI, or a scan() child) the way the resource
// tests measure it: peak RSS from the child itself (rss-report.mjs), exit
// code, stderr, wall time. The parent also polls the child's VmHWM and
// kills it past `killAtBytes` or `killAfterMs`, so a regression fails the
// test instead of taking the shared machine's memory or hanging the suite.
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { repoRoot } from "./cli.js";

export interface BoundedRun {
  code: number | null;
  stderr: string;
  /** stdout, when it was under `keepStdout` bytes; otherwise undefined (see stdoutBytes). */
  stdout: string | undefined;
  stdoutBytes: number;
  peakRssBytes: number;
  wallMs: number;
  /** Why the parent killed the child, if it did. */
  killed: "rss" | "time" | undefined;
}

export interface BoundedOptions {
  killAtBytes: number;
  killAfterMs: number;
  /** stdout is written to this file (never held by the parent); default a temp file next to it. */
  stdoutFile: string;
  keepStdout?: number;
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin (a pipe), with backpressure; otherwise stdin is closed. */
  stdin?: AsyncIterable<Uint8Array>;
}

const REPORT = pathToFileURL(`${repoRoot}test/helpers/rss-report.mjs`).href;

/** VmHWM of a live process, in bytes (0 once it is gone). */
function vmHwm(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Writes `src` into `sink` as fast as the child reads it; a child that stops reading ends it quietly. */
async function feed(sink: NodeJS.WritableStream & { destroyed?: boolean }, src: AsyncIterable<Uint8Array>): Promise<void> {
  let broken = false;
  sink.on("error", () => (broken = true));
  try {
    for await (const chunk of src) {
      if (broken || sink.destroyed) return;
      if (!sink.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            sink.off("drain", done);
            sink.off("close", done);
            resolve();
          };
          sink.on("drain", done);
          sink.on("close", done);
        });
      }
    }
  } finally {
    sink.end();
  }
}

export function runBounded(script: string, args: readonly string[], o: BoundedOptions): Promise<BoundedRun> {
  const out = openSync(o.stdoutFile, "w");
  const t0 = performance.now();
  const child = spawn(process.execPath, ["--import", REPORT, script, ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: "1", ...o.env },
    stdio: [o.stdin ? "pipe" : "ignore", out, "pipe", "pipe"],
  });
  closeSync(out);
  if (o.stdin) void feed(child.stdin!, o.stdin);
  let polled = 0;
  let killed: BoundedRun["killed"];
  const err: Buffer[] = [];
  const rep: Buffer[] = [];
  child.stderr!.on("data", (c: Buffer) => err.push(c));
  (child.stdio[3] as NodeJS.ReadableStream).on("data", (c: Buffer) => rep.push(c));
  const poll = setInterval(() => {
    polled = Math.max(polled, vmHwm(child.pid!));
    if (polled > o.killAtBytes) killed = "rss";
    else if (performance.now() - t0 > o.killAfterMs) killed = "time";
    if (killed) child.kill("SIGKILL");
  }, 50);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", async (code) => {
      clearInterval(poll);
      const wallMs = performance.now() - t0;
      let reported = 0;
      try {
        reported = (JSON.parse(Buffer.concat(rep).toString("utf8")) as { maxRssKiB: number }).maxRssKiB * 1024;
      } catch {
        // killed before it could report: the polled peak stands
      }
      const stdoutBytes = statSync(o.stdoutFile).size;
      const stdout = stdoutBytes <= (o.keepStdout ?? 1024 * 1024) ? await readFile(o.stdoutFile, "utf8") : undefined;
      resolve({
        code,
        stderr: Buffer.concat(err).toString("utf8"),
        stdout,
        stdoutBytes,
        peakRssBytes: Math.max(reported, polled),
        wallMs,
        killed,
      });
    });
  });
}
