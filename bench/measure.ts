/**
 * Runs one command in a child under GNU `/usr/bin/time -v` and returns its
 * wall time, CPU time (user + sys, children included) and peak RSS (the
 * largest single process of the tree, which is what ru_maxrss reports).
 */
import { spawn } from "node:child_process";
import { openSync, closeSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export interface Sample {
  wallS: number;
  userS: number;
  sysS: number;
  cpuS: number;
  rssMiB: number;
}

export interface RunOptions {
  /** Where the child's stdout goes (default: /dev/null). */
  stdoutFile?: string | undefined;
  timeoutMs?: number | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  cwd?: string | undefined;
}

let seq = 0;

export async function measure(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<Sample> {
  const timeFile = path.join(os.tmpdir(), `layerlint-bench-time-${process.pid}-${seq++}.txt`);
  const out = openSync(opts.stdoutFile ?? "/dev/null", "w");
  let stderr = "";
  const t0 = performance.now();
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn("/usr/bin/time", ["-v", "-o", timeFile, cmd, ...args], {
      stdio: ["ignore", out, "pipe"],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 600_000);
    child.stderr!.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.on("error", reject);
    child.on("close", (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  const wallS = (performance.now() - t0) / 1000;
  closeSync(out);
  const text = await readFile(timeFile, "utf8").catch(() => "");
  await rm(timeFile, { force: true });
  if (code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} exited with ${code}:\n${stderr.trim()}\n${text.split("\n").slice(0, 2).join("\n")}`);
  }
  const num = (label: string): number => {
    const m = new RegExp(`${label}: ([0-9.]+)`).exec(text);
    if (!m) throw new Error(`no "${label}" in /usr/bin/time output:\n${text}`);
    return Number(m[1]);
  };
  const userS = num("User time \\(seconds\\)");
  const sysS = num("System time \\(seconds\\)");
  return { wallS, userS, sysS, cpuS: userS + sysS, rssMiB: num("Maximum resident set size \\(kbytes\\)") / 1024 };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function medianSample(samples: readonly Sample[]): Sample {
  return {
    wallS: median(samples.map((s) => s.wallS)),
    userS: median(samples.map((s) => s.userS)),
    sysS: median(samples.map((s) => s.sysS)),
    cpuS: median(samples.map((s) => s.cpuS)),
    rssMiB: median(samples.map((s) => s.rssMiB)),
  };
}
