import { Option } from "commander";
import { DURATION_HINT, LayerlintError, parseDuration } from "@layerlint/core";

/**
 * `--timeout DURATION` (`90s`, `5m`, `1h30m`, `500ms`) in milliseconds,
 * read by core's parseDuration. A bare number is refused rather than
 * guessed at: seconds or minutes?
 */
export function parseDurationFlag(flag: string, v: string): number {
  const ms = parseDuration(v);
  if (ms !== undefined) return ms;
  const s = v.trim();
  if (/^\d+(?:\.\d+)?$/.test(s)) {
    throw new LayerlintError("INVALID_INPUT", `${flag}: ${JSON.stringify(s)} needs a unit: ms, s, m or h (e.g. ${s}s)`);
  }
  if (/^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ms|s|m|h))+$/.test(s)) {
    throw new LayerlintError("INVALID_INPUT", `${flag}: ${JSON.stringify(v)} is not a positive duration a timer can wait`);
  }
  throw new LayerlintError("INVALID_INPUT", `${flag}: ${DURATION_HINT}, got ${JSON.stringify(v)}`);
}

/** `--timeout DURATION`: the whole command, from opening the input to the last layer read. */
export const timeoutOption = (): Option =>
  new Option("--timeout <duration>", "give up after this long, e.g. 90s, 5m or 1h (default: no limit)").argParser((v: string) =>
    parseDurationFlag("--timeout", v),
  );
