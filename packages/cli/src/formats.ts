/**
 * Output formats, and the -f/--format option of each command. trivy and
 * dockle users type `-f sarif` or `-f json`; a format a command cannot
 * produce is a one-line error naming the ones it can.
 */
import { Option } from "commander";
import { LayerlintError } from "@layerlint/core";

/** What `scan` writes, to stdout (-f) or as extra reports (--report FORMAT=FILE). */
export const REPORT_FORMATS = ["text", "json", "sarif", "junit", "markdown"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** `files`, `info` and `version` write text or JSON only. */
export const LISTING_FORMATS = ["text", "json"] as const;

/** -f/--format for `command`, any case (`-f JSON`), text by default; text and JSON unless told otherwise. */
export function formatOption(command?: string, formats: readonly string[] = LISTING_FORMATS): Option {
  return new Option("-f, --format <format>", "output format")
    .choices(formats)
    .default("text")
    .argParser((v: string) => {
      const f = v.trim().toLowerCase();
      if (formats.includes(f)) return f;
      const other = (REPORT_FORMATS as readonly string[]).includes(f) ? `${command ?? "this command"} cannot write ${f}; ` : "";
      throw new LayerlintError("INVALID_INPUT", `-f: ${other}expected ${formats.join(", ")}, got ${JSON.stringify(v)}`);
    });
}
