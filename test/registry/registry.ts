// Starts Debian's docker-registry (the CNCF distribution registry) on
// 127.0.0.1 with a temporary config: anonymous, htpasswd basic, or token
// auth.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "node:http";
import { ensureDebianPackages } from "../helpers/debian.js";

/** The registry, the pusher, htpasswd, and openssl for the token server's keys and the TLS certificates. */
export function ensureRegistryTools(): void {
  ensureDebianPackages({ "docker-registry": "docker-registry", skopeo: "skopeo", htpasswd: "apache2-utils", openssl: "openssl" });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export type RegistryAuth =
  | { kind: "none" }
  | { kind: "htpasswd"; username: string; password: string }
  | { kind: "token"; realm: string; service: string; issuer: string; certFile: string };

export interface RunningRegistry {
  port: number;
  /** `127.0.0.1:PORT` */
  host: string;
  stop(): Promise<void>;
}

function statusOf(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/v2/", timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", () => resolve(0));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

export async function waitForHttp(port: number, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if ((await statusOf(port)) !== 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing answered on 127.0.0.1:${port}`);
}

/**
 * `tls`: serve https with this certificate and key (PEM files).
 * `storage`: keep the registry's data in this directory (created when
 * missing, kept by `stop()`) instead of a temporary one, so it outlives the run.
 */
export async function startRegistry(
  auth: RegistryAuth,
  opts: { tls?: { certFile: string; keyFile: string }; storage?: string } = {},
): Promise<RunningRegistry> {
  const dir = mkdtempSync(join(tmpdir(), "layerlint-registry-"));
  const storage = opts.storage ?? join(dir, "data");
  if (opts.storage) mkdirSync(storage, { recursive: true });
  const port = await freePort();
  let authYaml = "";
  if (auth.kind === "htpasswd") {
    const line = execFileSync("htpasswd", ["-Bbn", auth.username, auth.password], { encoding: "utf8" });
    writeFileSync(join(dir, "htpasswd"), line);
    authYaml = `auth:\n  htpasswd:\n    realm: layerlint-test\n    path: ${join(dir, "htpasswd")}\n`;
  } else if (auth.kind === "token") {
    authYaml = `auth:\n  token:\n    realm: ${auth.realm}\n    service: ${auth.service}\n    issuer: ${auth.issuer}\n    rootcertbundle: ${auth.certFile}\n`;
  }
  const config = `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${storage}
http:
  addr: 127.0.0.1:${port}
  secret: layerlint-test-secret
${opts.tls ? `  tls:\n    certificate: ${opts.tls.certFile}\n    key: ${opts.tls.keyFile}\n` : ""}${authYaml}`;
  writeFileSync(join(dir, "config.yml"), config);
  const child: ChildProcess = spawn("/usr/bin/docker-registry", ["serve", join(dir, "config.yml")], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(port);
  } catch (e) {
    await stop();
    throw new Error(`docker-registry did not start: ${stderr.slice(0, 500)}`, { cause: e });
  }
  return { port, host: `127.0.0.1:${port}`, stop };
}
