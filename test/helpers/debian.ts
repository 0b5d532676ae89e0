import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

let updated = false;

/**
 * Makes sure Debian packages a test needs are installed (the guide: the
 * test setup installs what it needs when it is missing). Keys are commands
 * that must be on PATH; values the packages that provide them. Throws when
 * they cannot be installed, so the test fails rather than silently skipping.
 */
export function ensureDebianPackages(pkgs: Record<string, string>): void {
  const missing = Object.entries(pkgs)
    .filter(([bin]) => spawnSync("sh", ["-c", `command -v ${bin}`]).status !== 0)
    .map(([, pkg]) => pkg);
  install(missing);
}

/**
 * The same for packages that install no command (Go `-dev` source
 * packages): keys are files that must exist, values their packages.
 */
export function ensureDebianFiles(files: Record<string, string>): void {
  install([...new Set(Object.entries(files).filter(([path]) => !existsSync(path)).map(([, pkg]) => pkg))]);
}

function install(missing: string[]): void {
  if (missing.length === 0) return;
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  // Another test process may hold the dpkg lock for a while: wait for it
  // (apt-get's own lock timeout) rather than fail at once.
  const lock = ["-o", "DPkg::Lock::Timeout=300"];
  if (!updated) {
    execFileSync("apt-get", [...lock, "update", "-q"], { stdio: "ignore", env });
    updated = true;
  }
  execFileSync("apt-get", [...lock, "install", "-y", "-q", "--no-install-recommends", ...missing], { stdio: "ignore", env });
}
