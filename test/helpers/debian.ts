import { execFileSync, spawnSync } from "node:child_process";

let updated = false;

/**
 * Makes sure Debian packages a test needs are installed (the guide: the
 * test setup installs what it needs when it is missing). Throws when they
 * cannot be installed, so the test fails rather than silently skipping.
 */
export function ensureDebianPackages(pkgs: Record<string, string>): void {
  const missing = Object.entries(pkgs)
    .filter(([bin]) => spawnSync("sh", ["-c", `command -v ${bin}`]).status !== 0)
    .map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!updated) {
    execFileSync("apt-get", ["update", "-q"], { stdio: "ignore", env });
    updated = true;
  }
  execFileSync("apt-get", ["install", "-y", "-q", "--no-install-recommends", ...missing], { stdio: "ignore", env });
}
