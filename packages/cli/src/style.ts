/**
 * ANSI styles for the text report on stdout; colourWanted says when.
 * Only stdout is ever coloured: errors and warnings on stderr are plain.
 */
export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  severity(sev: string, s: string): string;
}

const codes: Record<string, [number, number]> = {
  critical: [35, 39],
  high: [31, 39],
  medium: [33, 39],
  low: [36, 39],
  info: [2, 22],
};

export function makeStyle(enabled: boolean): Style {
  const wrap = (open: number, close: number) => (s: string) => (enabled ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    severity: (sev, s) => {
      const c = codes[sev];
      return c ? wrap(c[0], c[1])(s) : s;
    },
  };
}

/** FORCE_COLOR values that turn colour on, as Node's tty.getColorDepth reads them (https://nodejs.org/api/tty.html#writestreamgetcolordepthenv). */
const FORCE_ON: ReadonlySet<string> = new Set(["", "1", "2", "3", "true"]);

/**
 * Whether the text report on stdout is coloured, in this order:
 * - never in a file (-o FILE): a report file is plain text;
 * - FORCE_COLOR set: on for "", 1, 2, 3 or true, off for anything else
 *   (0, false), even when piped, and NO_COLOR is then ignored, as in Node
 *   (https://nodejs.org/api/cli.html#force_color1-2-3);
 * - NO_COLOR set to a non-empty value: off; an empty NO_COLOR counts as
 *   unset (https://no-color.org);
 * - TERM=dumb: off, a terminal that understands no escape sequences;
 * - otherwise on when stdout is a terminal. CI=true alone does not colour
 *   piped output (picocolors does, https://github.com/alexeyraspopov/picocolors).
 */
export function colourWanted(toFile: boolean, env: NodeJS.ProcessEnv = process.env, isTTY = process.stdout.isTTY === true): boolean {
  if (toFile) return false;
  if (env.FORCE_COLOR !== undefined) return FORCE_ON.has(env.FORCE_COLOR.trim().toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  return isTTY;
}
