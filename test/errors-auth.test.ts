// Authentication failures that say which credential source was tried
// and whether the registry refused credentials or got none, against the
// real distribution registry with htpasswd (Basic) auth and with token
// auth: no credentials found, --password-stdin, config.json auths, a
// credential helper, a helper missing from PATH. The secret is never in
// the output.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, type CliResult } from "./helpers/cli.js";
import { ensureRegistryTools, startRegistry, type RunningRegistry } from "./registry/registry.js";
import { startTokenServer, type TokenServer } from "./registry/token-server.js";
import { skopeoPush } from "./registry/skopeo.js";

const USER = "layerlint";
const PASSWORD = "pw-Rt5Yw2Qp8Ls4";
const WRONG = "wrong-Vb6Nm3Kd9Hx7";

let basic: RunningRegistry;
let tokenReg: RunningRegistry;
let tokens: TokenServer;
let tmp: string;

beforeAll(async () => {
  ensureRegistryTools();
  tmp = mkdtempSync(join(tmpdir(), "layerlint-errors-auth-"));
  tokens = await startTokenServer({ username: USER, password: PASSWORD, identityToken: "unused-identity" });
  [basic, tokenReg] = await Promise.all([
    startRegistry({ kind: "htpasswd", username: USER, password: PASSWORD }),
    startRegistry({ kind: "token", realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, certFile: tokens.certFile }),
  ]);
  await Promise.all([
    skopeoPush("demo.oci", "demo:latest", `${basic.host}/demo:latest`, { creds: `${USER}:${PASSWORD}` }),
    skopeoPush("demo.oci", "demo:latest", `${tokenReg.host}/demo:latest`, { creds: `${USER}:${PASSWORD}` }),
  ]);
});

afterAll(async () => {
  await Promise.all([basic?.stop(), tokenReg?.stop(), tokens?.stop()]);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A DOCKER_CONFIG directory holding this config.json, and a PATH with `helpers` (name → shell script body) on it. */
function dockerEnv(name: string, config: unknown, helpers: Record<string, string> = {}): NodeJS.ProcessEnv {
  const dir = join(tmp, name);
  const bin = join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  for (const [helper, body] of Object.entries(helpers)) {
    writeFileSync(join(bin, `docker-credential-${helper}`), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, `docker-credential-${helper}`), 0o755);
  }
  return { DOCKER_CONFIG: dir, DOCKER_AUTH_CONFIG: "", REGISTRY_AUTH_FILE: join(dir, "no-auth.json"), XDG_RUNTIME_DIR: dir, XDG_CONFIG_HOME: dir, PATH: `${bin}:${process.env.PATH ?? ""}` };
}

async function authError(ref: string, opts: { env?: NodeJS.ProcessEnv; input?: string; args?: string[] }): Promise<string> {
  const r: CliResult = await runCli(["files", ref, "--quiet", ...(opts.args ?? [])], { env: opts.env, input: opts.input });
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  for (const secret of [PASSWORD, WRONG, Buffer.from(`${USER}:${WRONG}`).toString("base64")]) expect(r.stderr).not.toContain(secret);
  expect(r.stderr.split("\n")).toHaveLength(2);
  return r.stderr;
}

const both = () => [
  { name: "htpasswd", reg: basic, by: "registry" },
  { name: "token", reg: tokenReg, by: "token server" },
];

describe("authentication errors name the credential source", () => {
  it("none found: no credentials sent, and where the lookup went", async () => {
    for (const { reg } of both()) {
      const env = dockerEnv(`none-${reg.port}`, {});
      const e = await authError(`${reg.host}/demo:latest`, { env });
      expect(e).toBe(
        `error: ${reg.host}: authentication failed (401): no credentials sent; none found for ${reg.host} (looked in ${env.DOCKER_CONFIG}/config.json auths, containers auth.json)\n`,
      );
    }
  });

  it("--password-stdin: rejected by the registry (Basic) or its token server", async () => {
    for (const { reg, by } of both()) {
      const e = await authError(`${reg.host}/demo:latest`, { args: ["--username", USER, "--password-stdin"], input: WRONG });
      expect(e).toBe(`error: ${reg.host}: authentication failed (401): the ${by} rejected the credentials from --password-stdin\n`);
    }
  });

  it("config.json auths: rejected, naming the file", async () => {
    for (const { reg, by } of both()) {
      const env = dockerEnv(`auths-${reg.port}`, { auths: { [reg.host]: { auth: Buffer.from(`${USER}:${WRONG}`).toString("base64") } } });
      const e = await authError(`${reg.host}/demo:latest`, { env });
      expect(e).toBe(`error: ${reg.host}: authentication failed (401): the ${by} rejected the credentials from ${env.DOCKER_CONFIG}/config.json auths\n`);
    }
  });

  it("a credential helper: rejected, naming the helper", async () => {
    for (const { reg, by } of both()) {
      const env = dockerEnv(
        `helper-${reg.port}`,
        { credHelpers: { [reg.host]: "wrongpw" } },
        { wrongpw: `read -r server; printf '{"ServerURL":"%s","Username":"${USER}","Secret":"${WRONG}"}' "$server"` },
      );
      const e = await authError(`${reg.host}/demo:latest`, { env });
      expect(e).toBe(`error: ${reg.host}: authentication failed (401): the ${by} rejected the credentials from credential helper docker-credential-wrongpw\n`);
    }
  });

  it("a credential helper missing from PATH, or without credentials for the registry: no credentials sent, and why", async () => {
    const missing = dockerEnv("helper-missing", { credsStore: "nosuchstore" });
    const e = await authError(`${basic.host}/demo:latest`, { env: missing });
    expect(e).toBe(
      `error: ${basic.host}: authentication failed (401): no credentials sent; none found for ${basic.host} (looked in credential helper docker-credential-nosuchstore (not found on PATH), ${missing.DOCKER_CONFIG}/config.json auths, containers auth.json)\n`,
    );
    const empty = dockerEnv("helper-empty", { credsStore: "empty" }, { empty: 'echo "credentials not found in native keychain"; exit 1' });
    expect(await authError(`${tokenReg.host}/demo:latest`, { env: empty })).toContain(
      `no credentials sent; none found for ${tokenReg.host} (looked in credential helper docker-credential-empty (has no credentials for ${tokenReg.host}), `,
    );
  });

  it("the right credentials from the same sources still work", async () => {
    const env = dockerEnv("good", { auths: { [basic.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString("base64") } } });
    const r = await runCli(["digest", `${basic.host}/demo:latest`], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
  });
});
