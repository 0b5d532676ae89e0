import { LayerlintError } from "@layerlint/core";

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * `--timeout DURATION`: `90s`, `5m`, `1h`, `1.5h`, `500ms`, in milliseconds.
 * A bare number is refused rather than guessed at: seconds or minutes?
 */
export function parseDuration(flag: string, v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(v);
  if (m === null) {
    if (/^\s*\d+(?:\.\d+)?\s*$/.test(v)) {
      throw new LayerlintError("INVALID_INPUT", `${flag}: ${JSON.stringify(v.trim())} needs a unit: ms, s, m or h (e.g. ${v.trim()}s)`);
    }
    throw new LayerlintError("INVALID_INPUT", `${flag}: expected a duration like 90s, 5m or 1h, got ${JSON.stringify(v)}`);
  }
  const ms = Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
  if (ms <= 0) throw new LayerlintError("INVALID_INPUT", `${flag}: ${JSON.stringify(v)} is not a positive duration`);
  return ms;
}
