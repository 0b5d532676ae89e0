/** Finding (and, as root on Debian, installing) the external tools the benchmark uses. */
import { spawnSync } from "node:child_process";
import { ensureDebianPackages } from "../test/helpers/debian.js";

export function which(bin: string): string | undefined {
  const r = spawnSync("sh", ["-c", `command -v ${bin}`], { encoding: "utf8" });
  const p = r.stdout.trim();
  return r.status === 0 && p ? p : undefined;
}

/** The tool's path; installs `aptPackage` with apt-get when missing and we are root. */
export function ensureTool(bin: string, aptPackage: string): string | undefined {
  const found = which(bin);
  if (found) return found;
  if (process.getuid?.() !== 0 || !which("apt-get")) return undefined;
  process.stderr.write(`[bench] installing ${aptPackage} (apt-get)\n`);
  try {
    ensureDebianPackages({ [bin]: aptPackage });
  } catch {
    // Not installable: the caller reports the tool as missing.
  }
  return which(bin);
}
