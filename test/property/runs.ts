// Shared settings for the property tests. `pnpm test` runs each property a
// fixed number of times from a fixed seed, so failures reproduce; `pnpm fuzz`
// sets FUZZ_RUNS (and a fresh seed unless FUZZ_SEED is given) to run at length.
// On failure fast-check prints the seed and path to replay the counterexample.
import type { Parameters } from "fast-check";

const fuzzRuns = Number(process.env["FUZZ_RUNS"] ?? "");
export const fuzzing = Number.isInteger(fuzzRuns) && fuzzRuns > 0;
const seed = process.env["FUZZ_SEED"] !== undefined ? Number(process.env["FUZZ_SEED"]) : fuzzing ? Date.now() ^ 0x5eed : 0x1a7e5;

/** fast-check parameters: `runs` in `pnpm test`, FUZZ_RUNS under `pnpm fuzz`. */
export function params<T>(runs: number): Parameters<T> {
  return { seed, numRuns: fuzzing ? fuzzRuns : runs };
}

/** Vitest timeout for a property: generous when fuzzing. */
export function timeout(ms: number): number {
  return fuzzing ? 60 * 60_000 : ms;
}
