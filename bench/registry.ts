/**
 * A local distribution registry (Debian's docker-registry) on 127.0.0.1 for
 * measurement (b). Its storage lives in the bench cache, so the image is
 * pushed (skopeo, digests preserved) only once.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";

export interface LocalRegistry {
  host: string;
  stop(): void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitUp(host: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}`);
    try {
      const r = await fetch(`http://${host}/v2/`);
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("docker-registry did not come up");
}

export async function startRegistry(root: string): Promise<LocalRegistry> {
  const storage = path.join(root, "registry");
  await mkdir(storage, { recursive: true });
  const host = `127.0.0.1:${await freePort()}`;
  const config = path.join(root, "registry.yml");
  await writeFile(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: error",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${storage}`,
      "http:",
      `  addr: ${host}`,
      "",
    ].join("\n"),
  );
  const child = spawn("docker-registry", ["serve", config], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
  try {
    await waitUp(host, child);
  } catch (e) {
    child.kill();
    throw new Error(`${(e as Error).message}: ${err}`);
  }
  return {
    host,
    stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
    },
  };
}

/** Pushes the layout's `v1` image unless the registry already holds that manifest. */
export async function pushOnce(reg: LocalRegistry, layoutDir: string, repo: string, manifestDigest: string): Promise<"pushed" | "present"> {
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
