// Vitest global setup. Generates the fixture images once per run so every
// test reads the same bytes (fixtures are never committed as binaries).
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const gen = `${root}fixtures/generate.ts`;
  if (existsSync(gen)) {
    execFileSync(process.execPath, ["--import", "tsx", gen], { cwd: root, stdio: "inherit" });
  }
}
