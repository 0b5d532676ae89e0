import { scan } from "@layerlint/core";
import type { CommonOptions } from "../load.js";
import { openOutput } from "../output.js";
import { textReport } from "../text-report.js";
import { colourWanted, makeStyle } from "../style.js";

export interface ScanCommandOptions extends CommonOptions {
  format: "text" | "json";
  output?: string;
}

/** `layerlint scan`: exit 0 unless an error occurs (the policy gate sets 1). */
export async function scanCommand(input: string, opts: ScanCommandOptions): Promise<number> {
  const report = await scan(input, { platform: opts.platform });
  const out = openOutput(opts.output);
  out.write(
    opts.format === "json"
      ? `${JSON.stringify(report, null, 2)}\n`
      : textReport(report, makeStyle(colourWanted(opts.output !== undefined))),
  );
  await out.end();
  return 0;
}
