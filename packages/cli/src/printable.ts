import { escapeText } from "@layerlint/core";

/**
 * Image-controlled text (paths, messages, os-release, registry errors) may
 * hold control characters, bidi overrides and raw name bytes: core's
 * escapeText shows them as `\xNN` / `\uXXXX`, so a hostile image cannot
 * spoof terminal output or split a line-based listing. The renderers use
 * the same function. Idempotent: the escapes are printable ASCII.
 */
export const printable: (s: string) => string = escapeText;

/** One line for stderr: the first line of a message, made printable. */
export function oneLine(s: string): string {
  return printable(s.split(/\r?\n/, 1)[0] ?? "");
}
