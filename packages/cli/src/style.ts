/**
 * Colour only when stdout is a terminal and NO_COLOR is unset
 * (picocolors colours piped output under CI=true, https://github.com/alexeyraspopov/picocolors; we don't).
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

export function colourWanted(toFile: boolean): boolean {
  return !toFile && process.stdout.isTTY === true && !("NO_COLOR" in process.env);
}
