import { scan, wantsCompressedSize } from "@layerlint/core";
import { outputFlag, type CommonOptions } from "../load.js";
import { printWarning, registryOptions, stderrLine } from "../registry-flags.js";
import { checkOutputs } from "../output-guard.js";
import { stdinFor } from "../stdin-input.js";
import { openOutput } from "../output.js";
import { colourWanted, makeStyle } from "../style.js";
import type { GateFlags } from "../gate-options.js";
import { expiredIgnores } from "../gate-table.js";
import { renderReport, runGate, setupGate, writeOutputs } from "../gate-run.js";

export interface ScanCommandOptions extends CommonOptions, GateFlags {
  format: "text" | "json";
  output?: string;
}

/** `layerlint scan`: exit 0 unless an error occurs (2) or the policy gate fails (1). */
export async function scanCommand(input: string, opts: ScanCommandOptions): Promise<number> {
  // Every output writable and none the input, and a bad policy exits 2: all before any layer is read.
  await checkOutputs(input, [
    ...outputFlag(opts.output),
    ...(opts.report ?? []).map((t) => ({ file: t.file, named: `--report ${t.format}=${t.file}` })),
    ...(opts.writeBaseline !== undefined ? [{ file: opts.writeBaseline, named: `--write-baseline ${opts.writeBaseline}` }] : []),
  ]);
  const gate = await setupGate(opts);
  const stdin = stdinFor(input, opts);
  const scanned = await scan(input, {
    platform: opts.platform,
    registry: await registryOptions(opts),
    onWarning: printWarning,
    timeout: opts.timeout,
    // Layers stored uncompressed (docker save) get a gzip estimate only when a rule reads it.
    estimateCompressedSize: wantsCompressedSize(gate.policy),
    stdin,
  });
  const report = runGate(scanned, gate);
  for (const note of expiredIgnores(report)) stderrLine(`warning: ${note}; its findings count again`);
  // The main output first: if it cannot be written, no extra report is left behind.
  const out = openOutput(opts.output);
  out.write(renderReport(opts.format, report, makeStyle(colourWanted(opts.output !== undefined))));
  await out.end();
  await writeOutputs(report, opts);
  return report.gate?.passed === false ? 1 : 0;
}
