import { scan } from "@layerlint/core";
import type { CommonOptions } from "../load.js";
import { registryOptions } from "../registry-flags.js";
import { openOutput } from "../output.js";
import { textReport } from "../text-report.js";
import { colourWanted, makeStyle } from "../style.js";
import type { GateFlags } from "../gate-options.js";
import { runGate, setupGate, writeOutputs } from "../gate-run.js";

export interface ScanCommandOptions extends CommonOptions, GateFlags {
  format: "text" | "json";
  output?: string;
}

/** `layerlint scan`: exit 0 unless an error occurs (the policy gate sets 1). */
export async function scanCommand(input: string, opts: ScanCommandOptions): Promise<number> {
  // Policy and baseline first: a bad policy exits 2 before any layer is read.
  const gate = await setupGate(opts);
  const scanned = await scan(input, { platform: opts.platform, registry: await registryOptions(opts) });
  const { report, passed, warnings } = runGate(scanned, gate);
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  // The main output first: if it cannot be written, no extra report is left behind.
  const out = openOutput(opts.output);
  out.write(
    opts.format === "json"
      ? `${JSON.stringify(report, null, 2)}\n`
      : textReport(report, makeStyle(colourWanted(opts.output !== undefined))),
  );
  await out.end();
  await writeOutputs(report, opts);
  return passed === false ? 1 : 0;
}
