/**
 * Start-up: what a short command costs beyond Node's own start. Measured
 * side by side in one run, interleaved round by round so that background
 * load hits every row alike, medians of the rounds:
 *
 * - `node -e 0`, the floor;
 * - `layerlint --version` and a scan of the small demo image
 *   (fixtures/out/demo.oci.tar, 6 layers, 7 kB) with the published CLI,
 *   the esbuild bundle in packages/cli/dist/;
 * - the same two with tsc's unbundled output (packages/cli/build/main.js,
 *   which loads core as some 400 ES modules), to show what the bundle buys.
 *
 * Targets: `--version` at most 1.5× `node -e 0`, the demo scan at most 2.5×.
 *
 * Run by `pnpm bench` (a section of bench/RESULTS.md) and alone by
 * `pnpm bench:startup` (bench/startup-main.ts), which rewrites only that section.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { measure, median, type Sample } from "./measure.js";

export const STARTUP_HEADING = "## Start-up";

export const TARGETS = { version: 1.5, scan: 2.5 } as const;

interface Row {
  id: string;
  label: string;
  args: string[];
  samples: Sample[];
}

/** Measures the start-up rows and returns the RESULTS.md section (heading included). */
export async function startupSection(repo: string, rounds: number, log: (m: string) => void): Promise<string> {
  const bundle = path.join(repo, "packages/cli/dist/main.js");
  const unbundled = path.join(repo, "packages/cli/build/main.js");
  const demo = path.join(repo, "fixtures/out/demo.oci.tar");
  for (const f of [bundle, demo]) if (!existsSync(f)) throw new Error(`${f} is missing: run \`pnpm build\` and \`pnpm fixtures\``);
  const rows: Row[] = [
    { id: "node", label: "`node -e 0`", args: ["-e", "0"], samples: [] },
    { id: "version", label: "`layerlint --version`", args: [bundle, "--version"], samples: [] },
    { id: "scan", label: "`layerlint scan demo.oci.tar` (text report)", args: [bundle, "scan", demo], samples: [] },
  ];
  if (existsSync(unbundled)) {
    rows.push(
      { id: "version-unbundled", label: "`--version`, unbundled (build/main.js)", args: [unbundled, "--version"], samples: [] },
      { id: "scan-unbundled", label: "demo scan, unbundled (build/main.js)", args: [unbundled, "scan", demo], samples: [] },
    );
  }
  // One untimed pass: files into the page cache.
  for (const r of rows) await measure(process.execPath, r.args);
  for (let i = 1; i <= rounds; i++) {
    for (const r of rows) r.samples.push(await measure(process.execPath, r.args));
    if (i % 5 === 0 || i === rounds) log(`start-up round ${i}/${rounds}`);
  }
  const wall = (id: string): number => median(rows.find((r) => r.id === id)!.samples.map((s) => s.wallS));
  const floor = wall("node");
  const cpuFloor = median(rows.find((r) => r.id === "node")!.samples.map((s) => s.cpuS));
  const L: string[] = [STARTUP_HEADING, ""];
  L.push(
    `${rounds} rounds, interleaved; medians. Wall time from spawn to exit; CPU is user + sys of the process and its threads (10 ms resolution). When other work shares the machine, every wall time grows by a similar wait and the wall ratios shrink towards 1; the CPU ratios do not.`,
    "",
    "| command | wall ms | CPU ms | × `node -e 0` (wall) | × `node -e 0` (CPU) | target (wall) |",
    "|---|---:|---:|---:|---:|---|",
  );
  for (const r of rows) {
    const w = median(r.samples.map((s) => s.wallS));
    const cpu = median(r.samples.map((s) => s.cpuS));
    const target = r.id === "version" ? `≤ ${TARGETS.version}× ${w / floor <= TARGETS.version ? "met" : "**missed**"}` : r.id === "scan" ? `≤ ${TARGETS.scan}× ${w / floor <= TARGETS.scan ? "met" : "**missed**"}` : "";
    L.push(`| ${r.label} | ${(w * 1000).toFixed(0)} | ${(cpu * 1000).toFixed(0)} | ${(w / floor).toFixed(2)} | ${(cpu / cpuFloor).toFixed(2)} | ${target} |`);
  }
  const range = (id: string): string => {
    const xs = rows.find((r) => r.id === id)!.samples.map((s) => s.wallS * 1000);
    return `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)} ms`;
  };
  L.push(
    "",
    `Spread of single runs: node ${range("node")}, --version ${range("version")}, scan ${range("scan")}.`,
    "",
    "What the bundle, the code cache and the lazy loads each bought: bench/NOTES.md, \"Start-up\".",
    "",
  );
  return L.join("\n");
}
