// What credentials go where under Bearer token auth: Basic credentials to
// the challenge's token realm only, never to a redirect the realm answers
// with, never to the registry itself, and never over plain http to another
// host. In-process servers on 127.0.0.1 stand in for registry, realm and a
// decoy that must see nothing.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";

interface Served {
  server: Server;
  port: number;
  seen: { url: string; headers: IncomingHttpHeaders }[];
}

async function serve(answer: (url: string, res: import("node:http").ServerResponse) => void): Promise<Served> {
  const seen: Served["seen"] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? "", headers: req.headers });
    req.resume();
    answer(req.url ?? "", res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, port: (server.address() as { port: number }).port, seen };
}

const USER = "realm-user";
const PASSWORD = "realm-password-1234";
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;

let registry: Served;
let realm: Served;
let decoy: Served;
let challenge = "";

beforeAll(async () => {
  decoy = await serve((_, res) => void res.writeHead(200, { "content-type": "application/json" }).end('{"token":"stolen"}'));
  // The realm answers every token request with a redirect to the decoy.
  realm = await serve((url, res) => void res.writeHead(302, { location: `http://127.0.0.1:${decoy.port}${url}` }).end());
  registry = await serve((_, res) => void res.writeHead(401, { "www-authenticate": challenge, "content-type": "application/json" }).end("{}"));
});
afterAll(async () => {
  for (const s of [registry, realm, decoy]) {
    s.server.closeAllConnections();
    await new Promise((r) => s.server.close(r));
  }
});

const digest = () =>
  runCli(["digest", `127.0.0.1:${registry.port}/app:1`, "--plain-http", "--username", USER, "--password-stdin"], { input: PASSWORD });

describe("credentials under token auth", () => {
  it("Basic goes to the realm; the realm's redirect is not followed, so its target gets nothing", async () => {
    challenge = `Bearer realm="http://127.0.0.1:${realm.port}/token",service="test"`;
    const r = await digest();
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
      code: 2,
      stdout: "",
      stderr: `error: 127.0.0.1:${registry.port}: token server answered HTTP 302\n`,
    });
    expect(realm.seen.map((s) => s.headers.authorization)).toEqual([BASIC]);
    expect(realm.seen[0]!.url).toBe(`/token?service=test&scope=${encodeURIComponent("repository:app:pull")}`);
    expect(decoy.seen).toEqual([]);
    // The registry itself never sees the password: only the token the realm would mint.
    expect(registry.seen.filter((s) => s.headers.authorization !== undefined)).toEqual([]);
  });

  it("a plain-http realm on another host is refused before any request: Basic would cross the network in clear", async () => {
    // 203.0.113.0/24 is TEST-NET-3: a public address, so only the scheme rule can refuse it.
    challenge = 'Bearer realm="http://203.0.113.7/token",service="test"';
    const before = realm.seen.length;
    const started = Date.now();
    const r = await digest();
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 2,
      stderr: `error: 127.0.0.1:${registry.port}: refusing token realm with scheme http\n`,
    });
    expect(Date.now() - started).toBeLessThan(5_000); // no connection attempted to 203.0.113.7
    expect(realm.seen.length).toBe(before);
    expect(decoy.seen).toEqual([]);
  });
});
