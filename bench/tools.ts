/** Finding (and, as root on Debian, installing) the external tools the benchmark uses. */
import { spawnSync } from "node:child_process";

export function which(bin: string): string | undefined {
  const r = spawnSync("sh", ["-c", `command -v ${bin}`], { encoding: "utf8" });
  const p = r.stdout.trim();
  return r.status === 0 && p ? p : undefined;
}

let aptUpdated = false;

/** The tool's path; installs `aptPackage` with apt-get when missing and we are root. */
export function ensureTool(bin: string, aptPackage: string): string | undefined {
  const found = which(bin);
  if (found) return found;
  if (process.getuid?.() !== 0 || !which("apt-get")) return undefined;
  process.stderr.write(`[bench] installing ${aptPackage} (apt-get)\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  let r = spawnSync("apt-get", ["install", "-y", "-q", aptPackage], { stdio: ["ignore", "ignore", "inherit"], env });
  if (r.status !== 0 && !aptUpdated) {
    aptUpdated = true;
    spawnSync("apt-get", ["update", "-q"], { stdio: ["ignore", "ignore", "inherit"], env });
    r = spawnSync("apt-get", ["install", "-y", "-q", aptPackage], { stdio: ["ignore", "ignore", "inherit"], env });
  }
  return which(bin);
}
