// Authentication errors for the cases a real registry rarely produces, on
// a scripted HTTP server: credentials found but the refusal carries no
// challenge to answer, and a Basic challenge met with only an identity
// token. Each says no credentials were sent, and why.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LayerlintError } from "../packages/core/src/errors.js";
import { openSource } from "../packages/core/src/sources/open-source.js";
import type { RegistryOptions } from "../packages/core/src/registry/registry-source.js";

let server: Server;
let host: string;
let tmp: string;
/** What /v2/ answers: 200 (open), or 401 with a Basic challenge. */
let ping: "open" | "basic" = "open";

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "layerlint-auth-edges-"));
  server = createServer((req, res) => {
    if (req.url === "/v2/") {
      if (ping === "open") res.writeHead(200).end("{}");
      else res.writeHead(401, { "www-authenticate": 'Basic realm="edges"' }).end();
      return;
    }
    // Every repository is refused; with no challenge when /v2/ was open.
    res.writeHead(401, ping === "basic" ? { "www-authenticate": 'Basic realm="edges"' } : {}).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  host = `127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(tmp, { recursive: true, force: true });
});

async function failure(registry: RegistryOptions): Promise<LayerlintError> {
  const source = await openSource(`docker://${host}/team/app:v1`, { registry: { plainHttp: true, ...registry } });
  try {
    const e = await source.manifest().then(
      () => new Error("read"),
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(LayerlintError);
    return e as LayerlintError;
  } finally {
    await source.close();
  }
}

describe("authentication errors without credentials sent", () => {
  it("a 401 with no challenge: nothing to answer, and no credential store is read to say so", async () => {
    ping = "open";
    const e = await failure({ username: "u", password: "secret-Kq2", credentialSource: "--password-stdin" });
    expect(e.code).toBe("AUTH_FAILED");
    expect(e.message).toBe(`${host}: authentication failed (401): no credentials sent: the registry refused without a WWW-Authenticate challenge to answer`);
  });

  it("a Basic challenge and only an identity token in config.json: not sent, and why", async () => {
    ping = "basic";
    writeFileSync(join(tmp, "config.json"), JSON.stringify({ auths: { [host]: { identitytoken: "idtok-Zx9" } } }));
    const e = await failure({ env: { DOCKER_CONFIG: tmp } });
    expect(e.message).toBe(`${host}: authentication failed (401): no credentials sent: those from ${tmp}/config.json auths do not answer its basic challenge`);
    expect(e.message).not.toContain("idtok-Zx9");
  });
});
