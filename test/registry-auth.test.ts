// Auth: htpasswd Basic and token (Bearer) registries,
// credentials from --password-stdin, DOCKER_CONFIG auths and a credential
// helper on PATH; wrong credentials give exit 2 and one exact line; no
// credential ever reaches stdout, stderr, the report or --debug output,
// for each source: config auths, a helper, --password-stdin, a bearer token.
// Retries against a misbehaving registry (the htpasswd one behind a fault
// proxy): blob GETs redirected to a second origin (which must never see
// Authorization), a reset mid-blob (resumed with Range), a 429 with
// Retry-After and a burst of 503s. The scan must finish with output
// identical to the fault-free run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixturesOut, runCli, type CliResult } from "./helpers/cli.js";
import { ensureRegistryTools, startRegistry, type RunningRegistry } from "./registry/registry.js";
import { startTokenServer, type TokenServer } from "./registry/token-server.js";
import { skopeoDigest, skopeoPush } from "./registry/skopeo.js";
import { startFaultProxy, type FaultProxy } from "./registry/fault-proxy.js";
import { expectSameImage, filesJson, imageFindings, ok, scanJson } from "./registry/compare.js";

const USER = "layerlint";
const PASSWORD = "pw-Zq8vT3xK9mL2";
const IDENTITY = "idtok-Hc7Rw4Nf6Ps1";
const demoLocal = `oci:${fixturesOut}/demo.oci:demo:latest`;
const catalog = JSON.parse(readFileSync(`${fixturesOut}/catalog.json`, "utf8")) as Record<string, { layerDigests: string[] }>;
const layers = catalog.demo!.layerDigests;

let basic: RunningRegistry;
let tokenReg: RunningRegistry;
let tokens: TokenServer;
/** In front of `basic`, for "registry faults". */
let proxy: FaultProxy;
let tmp: string;
const outputs: string[] = [];

function record(r: CliResult): CliResult {
  outputs.push(r.stdout, r.stderr);
  return r;
}

beforeAll(async () => {
  ensureRegistryTools();
  tmp = mkdtempSync(join(tmpdir(), "layerlint-auth-"));
  tokens = await startTokenServer({ username: USER, password: PASSWORD, identityToken: IDENTITY });
  [basic, tokenReg] = await Promise.all([
    startRegistry({ kind: "htpasswd", username: USER, password: PASSWORD }),
    startRegistry({ kind: "token", realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, certFile: tokens.certFile }),
  ]);
  await Promise.all([
    skopeoPush("demo.oci", "demo:latest", `${basic.host}/demo:latest`, { creds: `${USER}:${PASSWORD}` }),
    skopeoPush("demo.oci", "demo:latest", `${tokenReg.host}/team/demo:latest`, { creds: `${USER}:${PASSWORD}` }),
  ]);
  proxy = await startFaultProxy(basic.port, { resetBlob: layers[0]!, rateLimitBlob: layers[1]! });
});

afterAll(async () => {
  await proxy?.stop();
  await Promise.all([basic?.stop(), tokenReg?.stop(), tokens?.stop()]);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const creds = ["--username", USER, "--password-stdin"];

describe("registry auth", () => {
  it("htpasswd Basic: --username + --password-stdin", async () => {
    await expectSameImage(demoLocal, `${basic.host}/demo:latest`, { remoteExtra: creds, stdin: `${PASSWORD}\n` });
  });

  it("token auth: Bearer token from the realm with Basic credentials", async () => {
    await expectSameImage(demoLocal, `${tokenReg.host}/team/demo:latest`, { remoteExtra: creds, stdin: PASSWORD });
    expect(tokens.requests.some((r) => r.method === "GET" && r.hasBasic && r.scope === "repository:team/demo:pull")).toBe(true);
  });

  it("digest through token auth equals skopeo", async () => {
    const ref = `${tokenReg.host}/team/demo:latest`;
    const ours = ok(record(await runCli(["digest", ref, ...creds], { input: PASSWORD })), "digest").trim();
    expect(ours).toBe(await skopeoDigest(ref, `${USER}:${PASSWORD}`));
  });

  it("wrong credentials: exit 2 with exactly one line naming the registry and the source tried", async () => {
    // htpasswd checks the password itself; the token registry sends it to its token server.
    const by = (reg: RunningRegistry) => (reg === basic ? "registry" : "token server");
    for (const reg of [basic, tokenReg]) {
      const ref = reg === basic ? `${reg.host}/demo:latest` : `${reg.host}/team/demo:latest`;
      for (const cmd of ["scan", "files", "digest"]) {
        const r = record(await runCli([cmd, ref, ...creds, "--debug"], { input: "wrong-password" }));
        expect(r.code).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr.split("\n")[0]).toBe(`error: ${reg.host}: authentication failed (401): the ${by(reg)} rejected the credentials from --password-stdin`);
      }
      const plain = record(await runCli(["scan", ref, ...creds], { input: "wrong-password" }));
      expect(plain.stderr).toBe(`error: ${reg.host}: authentication failed (401): the ${by(reg)} rejected the credentials from --password-stdin\n`);
    }
    const anon = record(await runCli(["files", `${tokenReg.host}/team/demo:latest`], { env: { DOCKER_CONFIG: join(tmp, "none"), DOCKER_AUTH_CONFIG: "" } }));
    expect(anon.stderr).toMatch(new RegExp(`^error: ${tokenReg.host.replace(/\./g, "\\.")}: authentication failed \\(401\\): no credentials sent; none found for ${tokenReg.host.replace(/\./g, "\\.")} \\(looked in [^\\n]*\\)\\n$`));
  });

  it("credentials from DOCKER_CONFIG auths", async () => {
    const dir = join(tmp, "docker-auths");
    mkdirSync(dir);
    const auth = Buffer.from(`${USER}:${PASSWORD}`).toString("base64");
    writeFileSync(join(dir, "config.json"), JSON.stringify({ auths: { [`https://${basic.host}/v1/`]: { auth }, [tokenReg.host]: { username: USER, password: PASSWORD } } }));
    const env = { DOCKER_CONFIG: dir, DOCKER_AUTH_CONFIG: "" };
    await expectSameImage(demoLocal, `${basic.host}/demo:latest`, { env });
    await expectSameImage(demoLocal, `${tokenReg.host}/team/demo:latest`, { env });
  });

  it("credentials from a docker-credential-test helper on PATH (identity token → OAuth2 POST)", async () => {
    const bin = join(tmp, "bin");
    const dir = join(tmp, "docker-helper");
    mkdirSync(bin);
    mkdirSync(dir);
    const helper = join(bin, "docker-credential-test");
    writeFileSync(
      helper,
      `#!/bin/sh
[ "$1" = get ] || exit 1
read -r server
case "$server" in
  ${tokenReg.host}) printf '{"ServerURL":"%s","Username":"<token>","Secret":"${IDENTITY}"}' "$server" ;;
  ${basic.host}) printf '{"ServerURL":"%s","Username":"${USER}","Secret":"${PASSWORD}"}' "$server" ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`,
    );
    chmodSync(helper, 0o755);
    writeFileSync(join(dir, "config.json"), JSON.stringify({ credHelpers: { [tokenReg.host]: "test" }, credsStore: "test" }));
    const env = { DOCKER_CONFIG: dir, PATH: `${bin}:${process.env.PATH ?? ""}`, DOCKER_AUTH_CONFIG: "" };
    const before = tokens.requests.length;
    await expectSameImage(demoLocal, `${tokenReg.host}/team/demo:latest`, { env });
    expect(tokens.requests.slice(before).some((r) => r.method === "POST" && r.grantType === "refresh_token")).toBe(true);
    await expectSameImage(demoLocal, `${basic.host}/demo:latest`, { env });
  });

  it("credentials from DOCKER_AUTH_CONFIG", async () => {
    const auth = Buffer.from(`${USER}:${PASSWORD}`).toString("base64");
    const env = { DOCKER_CONFIG: join(tmp, "none"), DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [basic.host]: { auth } } }) };
    const r = record(await runCli(["digest", `${basic.host}/demo:latest`], { env }));
    expect(r.code).toBe(0);
  });

  it("each credential source (config auths, helper, --password-stdin, bearer token): no credential in stdout, stderr, report or --debug", async () => {
    // A registry token minted by the realm, planted as `registrytoken`: sent as Bearer directly.
    const minted = await fetch(`${tokens.realm}?service=${tokens.service}&scope=repository:team/demo:pull`, {
      headers: { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}` },
    });
    const bearer = ((await minted.json()) as { token: string }).token;
    const authBlob = Buffer.from(`${USER}:${PASSWORD}`).toString("base64");
    const cfg = (name: string, config: unknown) => {
      const dir = join(tmp, `grep-${name}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "config.json"), JSON.stringify(config));
      return dir;
    };
    const bin = join(tmp, "grep-bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      join(bin, "docker-credential-grep"),
      `#!/bin/sh\n[ "$1" = get ] || exit 1\nread -r server\nprintf '{"ServerURL":"%s","Username":"<token>","Secret":"${IDENTITY}"}' "$server"\n`,
    );
    chmodSync(join(bin, "docker-credential-grep"), 0o755);
    const tokenRef = `${tokenReg.host}/team/demo:latest`;
    const cases: { name: string; ref: string; env: NodeJS.ProcessEnv; flags?: string[]; input?: string; planted: string[] }[] = [
      { name: "auths", ref: `${basic.host}/demo:latest`, env: { DOCKER_CONFIG: cfg("auths", { auths: { [basic.host]: { auth: authBlob } } }) }, planted: [authBlob, PASSWORD] },
      {
        name: "helper",
        ref: tokenRef,
        env: { DOCKER_CONFIG: cfg("helper", { credHelpers: { [tokenReg.host]: "grep" } }), PATH: `${bin}:${process.env.PATH ?? ""}` },
        planted: [IDENTITY],
      },
      { name: "password-stdin", ref: tokenRef, env: { DOCKER_CONFIG: join(tmp, "none") }, flags: creds, input: PASSWORD, planted: [PASSWORD, authBlob] },
      { name: "bearer", ref: tokenRef, env: { DOCKER_CONFIG: cfg("bearer", { auths: { [tokenReg.host]: { registrytoken: bearer } } }) }, planted: [bearer] },
    ];
    for (const c of cases) {
      const issuedBefore = tokens.issued.length;
      const report = join(tmp, `grep-${c.name}.json`);
      const env = { DOCKER_AUTH_CONFIG: "", ...c.env };
      const scan = await runCli(["scan", c.ref, ...(c.flags ?? []), "--debug", "--format", "json", "-o", report], { env, input: c.input });
      expect(scan.code, `${c.name}: ${scan.stderr}`).toBe(0);
      const files = await runCli(["files", c.ref, ...(c.flags ?? []), "--debug", "--format", "json"], { env, input: c.input });
      expect(files.code, `${c.name}: ${files.stderr}`).toBe(0);
      // The source really was used: the planted bearer needs no realm, the helper's identity token is exchanged by POST.
      if (c.name === "bearer") expect(tokens.issued.length).toBe(issuedBefore);
      if (c.name === "helper") expect(tokens.requests.slice(-2).every((r) => r.method === "POST" && r.grantType === "refresh_token")).toBe(true);
      const outputs = [scan.stdout, scan.stderr, readFileSync(report, "utf8"), files.stdout, files.stderr];
      expect(outputs[2]).toContain('"findings"');
      // Tokens the realm handed out during these runs are credentials too.
      const secrets = [...c.planted, ...tokens.issued.slice(issuedBefore), bearer, IDENTITY, PASSWORD, authBlob];
      for (const out of outputs) {
        for (const secret of secrets) {
          expect(out.includes(secret), `${c.name}: a credential appears in the output`).toBe(false);
          // JWTs: no segment either (the signature alone is a credential's tail).
          for (const part of secret.split(".").filter((p) => p.length >= 16)) expect(out.includes(part), `${c.name}: part of a token appears`).toBe(false);
        }
      }
    }
  });

  it("never prints a credential: stdout, stderr, report file and --debug output", async () => {
    const report = join(tmp, "report.json");
    const r = record(await runCli(["scan", `${tokenReg.host}/team/demo:latest`, ...creds, "--debug", "--format", "json", "-o", report], { input: PASSWORD }));
    expect(r.code).toBe(0);
    outputs.push(readFileSync(report, "utf8"));
    const secrets = [PASSWORD, IDENTITY, Buffer.from(`${USER}:${PASSWORD}`).toString("base64"), ...tokens.issued.map((t) => t.slice(-40))];
    expect(outputs.length).toBeGreaterThan(20);
    for (const out of outputs) for (const s of secrets) expect(out.includes(s), `secret found in output`).toBe(false);
  });
});

describe("registry faults", () => {
  it("redirects, a reset mid-blob, 429 and 503s: same output, no Authorization at the blob origin", async () => {
    const direct = `${basic.host}/demo:latest`;
    const viaProxy = `127.0.0.1:${proxy.port}/demo:latest`;
    const t0 = Date.now();
    const faulty = await scanJson(viaProxy, creds, undefined, PASSWORD);
    const elapsed = Date.now() - t0;
    const clean = await scanJson(direct, creds, undefined, PASSWORD);
    expect(imageFindings(faulty.findings)).toEqual(imageFindings(clean.findings));
    expect(faulty.image.manifestDigest).toBe(clean.image.manifestDigest);
    expect(faulty.image.layers).toEqual(clean.image.layers);
    expect(await filesJson(viaProxy, creds, undefined, PASSWORD)).toBe(await filesJson(direct, creds, undefined, PASSWORD));

    expect(proxy.stats.served503).toBe(2);
    expect(proxy.stats.served429).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(1000); // Retry-After: 1 was honoured
    expect(proxy.stats.resets).toBe(1);
    expect(proxy.stats.rangeRequests.length).toBeGreaterThanOrEqual(1);
    expect(proxy.stats.rangeRequests[0]).toMatch(/^bytes=[1-9]\d*-$/);
    expect(proxy.stats.proxyAuthorized).toBeGreaterThan(0);
    expect(proxy.stats.blobRequests).toBeGreaterThan(layers.length);
    expect(proxy.stats.blobAuthorized).toBe(0);
  });
});
