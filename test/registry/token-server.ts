// A small token server for the registry's `auth.token` mode: RS256 JWTs
// with the signing certificate in x5c, as the registry's token auth expects
// (https://distribution.github.io/distribution/spec/auth/jwt/). The key and self-signed cert are made at test time.
import { execFileSync } from "node:child_process";
import { createPrivateKey, createSign, randomUUID, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TokenServer {
  port: number;
  realm: string;
  service: string;
  issuer: string;
  certFile: string;
  /** Every token handed out, so tests can check none leaks. */
  issued: string[];
  requests: { method: string; hasBasic: boolean; grantType?: string; scope: string }[];
  stop(): Promise<void>;
}

export interface TokenServerOptions {
  username: string;
  password: string;
  /** Accepted as grant_type=refresh_token in the OAuth2 POST. */
  identityToken: string;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (s += c.length < 65536 ? c : ""));
    req.on("end", () => resolve(s));
  });
}

export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServer> {
  const dir = mkdtempSync(join(tmpdir(), "layerlint-token-"));
  const keyFile = join(dir, "key.pem");
  const certFile = join(dir, "cert.pem");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "2", "-subj", "/CN=layerlint-test-token"],
    { stdio: "ignore" },
  );
  const key = createPrivateKey(readFileSync(keyFile));
  const certDer = new X509Certificate(readFileSync(certFile)).raw;
  const service = "layerlint-test-registry";
  const issuer = "layerlint-test-issuer";
  const issued: string[] = [];
  const requests: TokenServer["requests"] = [];

  const sign = (scopes: string[], subject: string, grant: boolean) => {
    const now = Math.floor(Date.now() / 1000);
    const access = grant
      ? scopes.map((s) => {
          const first = s.indexOf(":");
          const last = s.lastIndexOf(":");
          return { type: s.slice(0, first), name: s.slice(first + 1, last), actions: s.slice(last + 1).split(",") };
        })
      : [];
    const header = { typ: "JWT", alg: "RS256", x5c: [certDer.toString("base64")] };
    const claims = { iss: issuer, sub: subject, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const sig = createSign("RSA-SHA256").update(input).sign(key);
    const token = `${input}.${b64url(sig)}`;
    issued.push(token);
    return token;
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const auth = req.headers.authorization ?? "";
    const basic = auth.startsWith("Basic ") ? Buffer.from(auth.slice(6), "base64").toString("utf8") : undefined;
    let ok = false;
    let anonymous = false;
    let scopes: string[];
    let grantType: string | undefined;
    if (req.method === "POST") {
      const form = new URLSearchParams(await readBody(req));
      grantType = form.get("grant_type") ?? undefined;
      scopes = (form.get("scope") ?? "").split(" ").filter(Boolean);
      ok =
        (grantType === "refresh_token" && form.get("refresh_token") === opts.identityToken) ||
        (grantType === "password" && form.get("username") === opts.username && form.get("password") === opts.password);
    } else {
      scopes = url.searchParams.getAll("scope");
      if (basic === undefined) anonymous = true;
      else ok = basic === `${opts.username}:${opts.password}`;
    }
    requests.push({ method: req.method ?? "", hasBasic: basic !== undefined, grantType, scope: scopes.join(" ") });
    if (!ok && !anonymous) {
      res.writeHead(401, { "content-type": "application/json" }).end('{"details":"incorrect username or password"}');
      return;
    }
    // Anonymous callers get a token with no access, as Docker Hub does for private repositories.
    const token = sign(scopes, anonymous ? "" : opts.username, ok);
    const body = req.method === "POST" ? { access_token: token, expires_in: 300 } : { token, expires_in: 300, issued_at: new Date().toISOString() };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certFile,
    issued,
    requests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
