/**
 * Durations as Go's time.ParseDuration writes them, which is what docker,
 * containerd and most registry tools take on their command lines: a
 * sequence of decimal numbers, each with a unit, such as `90s`, `5m`,
 * `1h30m` or `1.5h`. https://pkg.go.dev/time#ParseDuration
 * Units: ms, s, m, h (finer ones would be below a timer's resolution).
 */
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The longest delay a Node timer takes (2^31 - 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const DURATION_HINT = 'expected a duration like "90s", "5m" or "1h30m"';

/** "5m" → 300000, "1h30m" → 5400000; undefined when not a positive duration a timer can wait. */
export function parseDuration(input: string): number | undefined {
  const s = input.trim();
  const part = /(\d+(?:\.\d*)?|\.\d+)(ms|s|m|h)/y;
  let ms = 0;
  let at = 0;
  while (at < s.length) {
    part.lastIndex = at;
    const m = part.exec(s);
    if (!m) return undefined;
    ms += Number(m[1]) * UNIT_MS[m[2]!]!;
    at = part.lastIndex;
  }
  ms = Math.round(ms);
  return at > 0 && ms > 0 && ms <= MAX_TIMER_MS ? ms : undefined;
}

/** 300000 → "5m", 90000 → "1m30s", 1500 → "1.5s": the shortest form parseDuration reads back. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s ? `${Number(s.toFixed(3))}s` : ""}`;
}
