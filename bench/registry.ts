/**
 * The image in the local distribution registry (Debian's docker-registry)
 * for measurement (b). run.ts starts the registry with the tests'
 * startRegistry (test/registry/registry.ts), its storage in the bench cache,
 * so the image is pushed (skopeo, digests preserved) only once.
 */
import { spawnSync } from "node:child_process";
import type { RunningRegistry } from "../test/registry/registry.js";

/** Pushes the layout's `v1` image unless the registry already holds that manifest. */
export async function pushOnce(reg: RunningRegistry, layoutDir: string, repo: string, manifestDigest: string): Promise<"pushed" | "present"> {
  const head = await fetch(`http://${reg.host}/v2/${repo}/manifests/${manifestDigest}`, {
    method: "HEAD",
    headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
  });
  if (head.status === 200) return "present";
  const r = spawnSync(
    "skopeo",
    ["copy", "--quiet", "--preserve-digests", "--dest-tls-verify=false", `oci:${layoutDir}:v1`, `docker://${reg.host}/${repo}:v1`],
    { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`skopeo copy failed: ${r.stderr}`);
  return "pushed";
}
