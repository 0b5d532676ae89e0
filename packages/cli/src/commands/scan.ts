import { LayerlintError, scan, wantsCompressedSize } from "@layerlint/core";
import { outputFlag, type CommonOptions } from "../load.js";
import { printWarning, registryOptions, stderrLine } from "../registry-flags.js";
import { checkOutputs } from "../output-guard.js";
import { stdinFor } from "../stdin-input.js";
import { openOutput } from "../output.js";
import { colourWanted, makeStyle } from "../style.js";
import type { GateFlags } from "../gate-options.js";
import type { IgnoreFlags } from "../ignore-options.js";
import type { ReportFormat } from "../formats.js";
import { expiredIgnores } from "../gate-table.js";
import { renderReport, runGate, setupGate, writeOutputs } from "../gate-run.js";
import { filterBySeverity, hiddenLine } from "../severity-filter.js";
import type { Command } from "commander";

export interface ScanCommandOptions extends CommonOptions, GateFlags, IgnoreFlags {
  format: ReportFormat;
  /** Undefined: stdout (`-o -` too). */
  output?: string;
  base?: string;
}

/** scan's own flags beside the gate's. */
export function addScanOptions(cmd: Command): Command {
  return cmd.option(
    "--base <ref>",
    "the base image (any input scan takes): its layers, matched by diff_id, are labelled base and the rest app; only its manifest and config are read",
  );
}

/**
 * At most one output on stdout: the main report unless -o names a file,
 * and each `--report FORMAT=-`. Two would interleave into something no
 * reader can parse.
 */
function refuseTwoOnStdout(opts: ScanCommandOptions): void {
  // A baseline is a file the next run reads back, never a stream.
  if (opts.writeBaseline === "-") throw new LayerlintError("INVALID_INPUT", "--write-baseline -: a baseline is read back by later runs; name a file");
  const onStdout = [
    ...(opts.output === undefined ? [`the ${opts.format} report`] : []),
    ...(opts.report ?? []).filter((t) => t.file === "-").map((t) => `--report ${t.format}=-`),
  ];
  if (onStdout.length > 1) {
    throw new LayerlintError("INVALID_INPUT", `${onStdout.join(" and ")} would ${onStdout.length === 2 ? "both" : "all"} write to stdout; send the others to files (-o FILE, --report FORMAT=FILE)`);
  }
}

/** `layerlint scan`: exit 0 unless an error occurs (2) or the policy gate fails (1, or --exit-code). */
export async function scanCommand(input: string, opts: ScanCommandOptions): Promise<number> {
  refuseTwoOnStdout(opts);
  // Every output writable and none the input, and a bad policy exits 2: all before any layer is read.
  await checkOutputs(input, [
    ...outputFlag(opts.output),
    ...(opts.report ?? []).filter((t) => t.file !== "-").map((t) => ({ file: t.file, named: `--report ${t.format}=${t.file}` })),
    ...(opts.writeBaseline !== undefined ? [{ file: opts.writeBaseline, named: `--write-baseline ${opts.writeBaseline}` }] : []),
  ]);
  const gate = await setupGate(opts);
  if (opts.exitCode !== undefined && gate.policy === undefined) {
    // trivy's --exit-code fails on any finding shown; here only a gate fails, and there is none.
    stderrLine(`warning: --exit-code ${opts.exitCode} applies when the gate fails, and no policy or gate flag is set; add one, e.g. --fail-on high`);
  }
  const stdin = stdinFor(input, opts);
  const scanned = await scan(input, {
    platform: opts.platform,
    registry: await registryOptions(opts),
    onWarning: printWarning,
    timeout: opts.timeout,
    base: opts.base,
    // Layers stored uncompressed (docker save) get a gzip estimate only when a rule reads it.
    estimateCompressedSize: wantsCompressedSize(gate.policy),
    stdin,
  });
  // The gate sees every finding; --severity only narrows what is shown after it.
  const gated = runGate(scanned, gate);
  const { report, hidden } = filterBySeverity(gated, opts.severity);
  for (const note of expiredIgnores(report)) stderrLine(`warning: ${note}; its findings count again`);
  // The main output first: if it cannot be written, no extra report is left behind.
  const out = openOutput(opts.output);
  const style = makeStyle(colourWanted(opts.output !== undefined));
  const note = opts.severity !== undefined ? hiddenLine(opts.severity, hidden, gate.policy !== undefined) : undefined;
  out.write(renderReport(opts.format, report, style, { hideIgnored: opts.hideIgnored }));
  if (opts.format === "text" && note !== undefined) out.write(`${style.dim(note)}\n`);
  await out.end();
  // The baseline records every finding: one written under --severity must not make the hidden ones new later.
  await writeOutputs(report, opts, gated, note);
  return report.gate?.passed === false ? (opts.exitCode ?? 1) : 0;
}
