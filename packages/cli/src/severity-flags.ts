/**
 * trivy's --severity and --exit-code
 * (https://trivy.dev/latest/docs/references/configuration/cli/trivy_image/),
 * and a --fail-on that takes any case, as trivy's severities do (`HIGH`).
 */
import { LayerlintError, SEVERITIES, type Severity } from "@layerlint/core";

const EXPECTED = `expected ${SEVERITIES.join(", ")} (any case)`;

/** One severity, any case: `HIGH` → `high`. */
export function parseSeverity(flag: string, v: string): Severity {
  const s = v.trim().toLowerCase();
  if ((SEVERITIES as readonly string[]).includes(s)) return s as Severity;
  throw new LayerlintError("INVALID_INPUT", `${flag}: ${EXPECTED}, got ${JSON.stringify(v)}`);
}

/** `--severity HIGH,critical`, repeatable; the union, most severe first, each once. */
export function parseSeverityList(v: string, prev: Severity[] = []): Severity[] {
  const parts = v.split(",").map((s) => s.trim());
  if (parts.some((s) => s === "")) throw new LayerlintError("INVALID_INPUT", `--severity: ${EXPECTED}, comma-separated, got ${JSON.stringify(v)}`);
  const wanted = new Set([...prev, ...parts.map((s) => parseSeverity("--severity", s))]);
  return SEVERITIES.filter((s) => wanted.has(s));
}

/** Exit code 2 means an error (README); a failed gate using it too could not be told apart from one. */
const ERROR_EXIT = 2;

/**
 * `--exit-code N`: an integer 0-255 (a POSIX exit status is 8 bits, so
 * 256 would read as 0), except 2. 0 reports a failed gate and exits 0.
 */
export function parseExitCode(v: string): number {
  const s = v.trim();
  const n = /^\d{1,3}$/.test(s) ? Number(s) : Number.NaN;
  if (!(n >= 0 && n <= 255)) throw new LayerlintError("INVALID_INPUT", `--exit-code: expected an integer from 0 to 255, got ${JSON.stringify(v)}`);
  if (n === ERROR_EXIT) {
    throw new LayerlintError("INVALID_INPUT", "--exit-code: 2 is the exit code for errors; a failed gate must exit differently (0 to report only)");
  }
  return n;
}
