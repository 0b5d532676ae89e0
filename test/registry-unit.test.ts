// Unit checks of the registry client's parts, and of manifest handling
// against a tiny in-process registry (schema1, size cap, digest checks).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseChallenges, pickChallenge } from "../packages/core/src/registry/auth/challenge.js";
import { parseTokenResponse, TokenCache } from "../packages/core/src/registry/auth/token.js";
import { findCredentials } from "../packages/core/src/registry/auth/credentials.js";
import { parseRetryAfter, retryDelay, defaultRetryPolicy } from "../packages/core/src/registry/retry.js";
import { checkRemoteUrl, isPrivateHost } from "../packages/core/src/registry/ssrf.js";
import { openSource } from "../packages/core/src/sources/open-source.js";
import { RegistrySource } from "../packages/core/src/registry/registry-source.js";

describe("WWW-Authenticate", () => {
  it("parses several challenges, quoted values and escapes, and prefers Bearer", () => {
    const c = parseChallenges([
      'Basic realm="basic-realm", Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"',
      'Negotiate abc123==, Bearer realm="https://x/t", error="insufficient_scope", note="a \\"q\\""',
    ]);
    expect(c.map((x) => x.scheme)).toEqual(["basic", "bearer", "negotiate", "bearer"]);
    expect(c[1]!.params).toEqual({ realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:samalba/my-app:pull,push" });
    expect(c[3]!.params.note).toBe('a "q"');
    expect(pickChallenge(c)!.params.realm).toBe("https://auth.docker.io/token");
    expect(pickChallenge(parseChallenges('Basic realm="r"'))!.scheme).toBe("basic");
    expect(parseChallenges(undefined)).toEqual([]);
  });
});

describe("tokens", () => {
  it("prefers a non-empty access_token, defaults expires_in to 60", () => {
    expect(parseTokenResponse('{"token":"a","access_token":"b","expires_in":300}')).toEqual({ token: "b", expiresIn: 300 });
    expect(parseTokenResponse('{"token":"a","access_token":""}')).toEqual({ token: "a", expiresIn: 60 });
    expect(parseTokenResponse('{"nothing":1}')).toBeUndefined();
    expect(parseTokenResponse("not json")).toBeUndefined();
  });

  it("caches per scope until shortly before expiry", () => {
    let now = 0;
    const cache = new TokenCache(() => now);
    cache.set("repository:a:pull", { token: "t", expiresIn: 60 });
    expect(cache.get("repository:a:pull")).toBe("t");
    expect(cache.get("repository:b:pull")).toBeUndefined();
    now = 53_000;
    expect(cache.get("repository:a:pull")).toBe("t");
    now = 55_000;
    expect(cache.get("repository:a:pull")).toBeUndefined();
  });
});

describe("retry policy", () => {
  it("reads Retry-After as seconds or an HTTP date, and caps it", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(retryDelay(defaultRetryPolicy, 1, 3_600_000)).toBe(defaultRetryPolicy.maxRetryAfterMs);
    expect(retryDelay(defaultRetryPolicy, 1)).toBe(defaultRetryPolicy.baseDelayMs);
    expect(retryDelay(defaultRetryPolicy, 20)).toBe(defaultRetryPolicy.maxDelayMs);
  });
});

describe("realm and redirect SSRF guard", () => {
  const https = new URL("https://registry.example.com");
  it("needs https unless the registry is plain http", () => {
    expect(() => checkRemoteUrl(new URL("http://auth.example.com/token"), https, "token realm", "r")).toThrow(/scheme http/);
    expect(() => checkRemoteUrl(new URL("https://auth.example.com/token"), https, "token realm", "r")).not.toThrow();
    expect(() => checkRemoteUrl(new URL("file:///etc/passwd"), new URL("http://127.0.0.1:5000"), "token realm", "r")).toThrow();
  });
  it("refuses loopback, private and link-local hosts other than the registry's own", () => {
    for (const h of ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "[::1]", "[fd00::1]", "localhost"]) {
      expect(() => checkRemoteUrl(new URL(`https://${h}/token`), https, "token realm", "r"), h).toThrow(/private host/);
    }
    expect(() => checkRemoteUrl(new URL("http://127.0.0.1:9999/token"), new URL("http://127.0.0.1:5000"), "token realm", "r")).not.toThrow();
    expect(isPrivateHost("8.8.8.8")).toBe(false);
    expect(isPrivateHost("::ffff:127.0.0.1")).toBe(true);
  });
  it("also treats carrier-grade NAT, benchmarking, multicast and NAT64-mapped private addresses as private", () => {
    for (const h of ["100.64.0.1", "100.127.255.254", "198.18.0.1", "224.0.0.1", "64:ff9b::7f00:1", "64:ff9b::a00:1", "ff02::1"]) {
      expect(isPrivateHost(h), h).toBe(true);
    }
    for (const h of ["100.63.0.1", "100.128.0.1", "198.20.0.1", "64:ff9b::808:808"]) expect(isPrivateHost(h), h).toBe(false);
  });
  it("sends no credentials over plain http to a realm on another host, even for a plain-http registry", () => {
    const plain = new URL("http://10.0.0.5:5000");
    // The realm takes Basic credentials: in clear text, only to the registry's own host.
    expect(() => checkRemoteUrl(new URL("http://evil.example.com/token"), plain, "token realm", "r")).toThrow(/scheme http/);
    expect(() => checkRemoteUrl(new URL("https://auth.example.com/token"), plain, "token realm", "r")).not.toThrow();
    expect(() => checkRemoteUrl(new URL("http://10.0.0.5:5001/token"), plain, "token realm", "r")).not.toThrow();
    // A blob redirect carries no Authorization: plain http storage is fine for a plain-http registry.
    expect(() => checkRemoteUrl(new URL("http://storage.example.com/blob"), plain, "redirect", "r")).not.toThrow();
  });
});

describe("credential lookup", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "layerlint-creds-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const b64 = (s: string) => Buffer.from(s).toString("base64");

  it("reads config.json auths by exact key or hostname, Docker Hub's legacy key, identity and registry tokens", async () => {
    const d = join(dir, "docker");
    mkdirSync(d);
    writeFileSync(
      join(d, "config.json"),
      JSON.stringify({
        auths: {
          "https://index.docker.io/v1/": { auth: b64("hub:pw:with:colons") },
          "https://reg.example.com:5000/v2/": { auth: b64("u1:p1") },
          "id.example.com": { username: "x", identitytoken: "idt" },
          "rt.example.com": { registrytoken: "rtok" },
        },
      }),
    );
    const env = { DOCKER_CONFIG: d };
    expect(await findCredentials("docker.io", "library/nginx", { env })).toEqual({ username: "hub", password: "pw:with:colons" });
    expect(await findCredentials("reg.example.com:5000", "a", { env })).toEqual({ username: "u1", password: "p1" });
    expect(await findCredentials("id.example.com", "a", { env })).toEqual({ username: "x", identityToken: "idt" });
    expect(await findCredentials("rt.example.com", "a", { env })).toEqual({ registryToken: "rtok" });
    expect(await findCredentials("other.example.com", "a", { env })).toBeUndefined();
  });

  it("DOCKER_AUTH_CONFIG overlays the file; podman auth.json matches repository keys first", async () => {
    const d = join(dir, "docker2");
    mkdirSync(d);
    writeFileSync(join(d, "config.json"), JSON.stringify({ auths: { "r.example.com": { auth: b64("file:f") } } }));
    const podman = join(dir, "auth.json");
    writeFileSync(podman, JSON.stringify({ auths: { "p.example.com/team/app": { auth: b64("repo:r") }, "p.example.com": { auth: b64("reg:g") } } }));
    const env = { DOCKER_CONFIG: d, DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { "r.example.com": { auth: b64("env:e") } } }), REGISTRY_AUTH_FILE: podman };
    expect(await findCredentials("r.example.com", "a", { env })).toEqual({ username: "env", password: "e" });
    expect(await findCredentials("p.example.com", "team/app", { env })).toEqual({ username: "repo", password: "r" });
    expect(await findCredentials("p.example.com", "team/other", { env })).toEqual({ username: "reg", password: "g" });
  });
});

describe("manifests from a tiny registry", () => {
  let server: Server;
  let host = "";
  const docs = new Map<string, { type: string; body: Buffer }>();
  const json = (o: unknown) => Buffer.from(JSON.stringify(o));
  const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

  beforeAll(async () => {
    docs.set("/v2/old/manifests/v1", { type: "application/vnd.docker.distribution.manifest.v1+prettyjws", body: json({ schemaVersion: 1, fsLayers: [] }) });
    docs.set("/v2/big/manifests/v1", { type: "application/vnd.oci.image.manifest.v1+json", body: Buffer.alloc(4 * 1024 * 1024 + 1, 32) });
    const m = json({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: `sha256:${"0".repeat(64)}`, size: 2 }, layers: [] });
    docs.set("/v2/tampered/manifests/v1", { type: "application/vnd.oci.image.manifest.v1+json", body: m });
    docs.set(`/v2/tampered/manifests/sha256:${"a".repeat(64)}`, { type: "application/vnd.oci.image.manifest.v1+json", body: m });
    server = createServer((req, res) => {
      if (req.url === "/v2/") return void res.writeHead(200).end("{}");
      const d = docs.get(req.url ?? "");
      if (!d) return void res.writeHead(404, { "content-type": "application/json" }).end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
      res.writeHead(200, { "content-type": d.type, "content-length": d.body.length }).end(d.body);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    host = `127.0.0.1:${(server.address() as { port: number }).port}`;
    docs.set("digest-of-tampered", { type: "", body: Buffer.from(sha(m)) });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const open = (ref: string) => openSource(`docker://${ref}`, { registry: { plainHttp: true } });
  const err = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as { code: string; message: string });

  it("refuses schema1 with a clear message", async () => {
    const s = await open(`${host}/old:v1`);
    expect(await err(s.manifest())).toMatchObject({ code: "UNSUPPORTED_SCHEMA1", message: expect.stringContaining("unsupported legacy schema1 manifest") });
    await s.close();
  });

  it("caps manifests at 4 MiB", async () => {
    const s = await open(`${host}/big:v1`);
    expect(await err(s.manifest())).toMatchObject({ code: "LIMIT_EXCEEDED" });
    await s.close();
  });

  it("verifies the body when pulling by digest; reports the computed digest by tag", async () => {
    const byTag = (await open(`${host}/tampered:v1`)) as RegistrySource;
    expect(await byTag.rootDigest()).toBe(docs.get("digest-of-tampered")!.body.toString());
    expect(byTag.reference).toBe(`${host}/tampered:v1`);
    await byTag.close();
    const byDigest = await open(`${host}/tampered@sha256:${"a".repeat(64)}`);
    expect(await err(byDigest.manifest())).toMatchObject({ code: "DIGEST_MISMATCH" });
    await byDigest.close();
  });

  it("a 404 is NOT_FOUND with the registry's message", async () => {
    const s = await open(`${host}/nothing:v1`);
    expect(await err(s.manifest())).toMatchObject({ code: "NOT_FOUND", message: `${host}/nothing:v1: manifest: not found: manifest unknown` });
    await s.close();
  });

  it("routes docker:// and bare references to the registry, paths and .tar names to files", async () => {
    expect((await openSource(`${host}/x:v1`)).kind).toBe("registry");
    const hub = (await openSource("docker://nginx")) as RegistrySource;
    expect(hub.reference).toBe("docker.io/library/nginx");
    expect(hub.ref.host).toBe("registry-1.docker.io");
    await hub.close();
    expect(await err(openSource("missing-image.tar"))).toMatchObject({ code: "NOT_FOUND" });
    expect(await err(openSource("./nothing/here"))).toMatchObject({ code: "NOT_FOUND" });
  });
});
