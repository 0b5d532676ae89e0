/**
 * Human sizes for policy limits. Decimal and binary prefixes are
 * both understood and kept distinct, as in IEC 80000-13: `MB` is 10^6 bytes,
 * `MiB` is 2^20. Unit letters are case-sensitive except the kilo prefix
 * (`kB` and `KB` both mean 1000), so `mb` (millibyte? megabit?) is refused
 * rather than guessed.
 *
 * A policy limit needs its unit (`200MB`, `512B`): `200` alone is more
 * likely a forgotten "MB" than a 200-byte limit, and a limit that small
 * fails every image. Only `0` may go without one: it is zero in any unit.
 * parseSize itself still reads a bare number as bytes (the policy schema
 * asks for the unit first, with unitProblem).
 */
const UNITS: Readonly<Record<string, number>> = {
  B: 1,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
};

export const SIZE_HINT = 'expected a size like "200MB" or "1.5GiB"';

const SIZE_RE = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/;

/**
 * Why a policy size needs a unit, or undefined when it has one (or is 0):
 * `200` → `a size needs a unit: "200MB" (10^6 bytes), "200MiB" (2^20) or "200B" for bytes`.
 */
export function unitProblem(input: string | number): string | undefined {
  const m = typeof input === "number" ? [String(input), String(input), ""] : SIZE_RE.exec(input.trim());
  if (!m || m[2] !== "" || Number(m[1]) === 0) return undefined;
  const n = m[1]!;
  return `a size needs a unit: "${n}MB" (10^6 bytes), "${n}MiB" (2^20) or "${n}B" for bytes`;
}

/** "200MB" → 200000000, "1.5GiB" → 1610612736, 512 → 512; undefined when not a size. */
export function parseSize(input: string | number): number | undefined {
  if (typeof input === "number") return Number.isSafeInteger(input) && input >= 0 ? input : undefined;
  const m = SIZE_RE.exec(input.trim());
  if (!m) return undefined;
  const unit = m[2] === "" ? 1 : UNITS[m[2]!];
  if (unit === undefined) return undefined;
  const bytes = Math.round(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/**
 * 1234567 → "1.23 MB". SI by default (registries and dive print SI); binary
 * when asked, so a limit written in MiB is shown back in MiB.
 */
export function formatSize(bytes: number, binary = false): string {
  const base = binary ? 1024 : 1000;
  const units = binary ? ["KiB", "MiB", "GiB", "TiB"] : ["kB", "MB", "GB", "TB"];
  if (Math.abs(bytes) < base) return `${bytes} B`;
  let v = Math.abs(bytes);
  let u = -1;
  while (v >= base && u < units.length - 1) {
    v /= base;
    u++;
  }
  const digits = v < 100 ? 2 : 1;
  const shown = Number(v.toFixed(digits)).toString();
  return `${bytes < 0 ? "-" : ""}${shown} ${units[u]}`;
}
