// A loopback proxy in front of a registry that misbehaves the way real
// ones do: blob GETs are
// redirected to a second origin (which must never see Authorization), one
// blob download is cut off mid-way, one request gets 429 with Retry-After,
// and a burst of 503s hits the manifest requests.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";

export interface FaultProxy {
  port: number;
  /** Second origin serving the redirected blobs. */
  blobPort: number;
  stats: {
    /** Requests that reached the proxy carrying Authorization (expected: the registry's own). */
    proxyAuthorized: number;
    /** Blob requests at the second origin, and how many carried Authorization (must be 0). */
    blobRequests: number;
    blobAuthorized: number;
    rangeRequests: string[];
    resets: number;
    served429: number;
    served503: number;
  };
  stop(): Promise<void>;
}

const HOP = new Set(["connection", "keep-alive", "transfer-encoding", "host"]);

function forward(upstreamPort: number, path: string, req: IncomingMessage, headers: Record<string, string | string[] | undefined>, res: ServerResponse, onBody?: (up: IncomingMessage) => void): void {
  const up = request({ host: "127.0.0.1", port: upstreamPort, path, method: req.method, headers }, (upRes) => {
    const h: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(upRes.headers)) if (v !== undefined && !HOP.has(k)) h[k] = v;
    res.writeHead(upRes.statusCode ?? 502, h);
    if (onBody) onBody(upRes);
    else upRes.pipe(res);
  });
  up.on("error", () => res.destroy());
  req.pipe(up);
}

export async function startFaultProxy(upstreamPort: number, faults: { resetBlob: string; rateLimitBlob: string }): Promise<FaultProxy> {
  const stats: FaultProxy["stats"] = { proxyAuthorized: 0, blobRequests: 0, blobAuthorized: 0, rangeRequests: [], resets: 0, served429: 0, served503: 0 };
  const grants = new Map<string, { path: string; authorization: string | undefined }>();
  let manifestGets = 0;
  let rateLimited = false;
  let reset = false;
  let blobPort = 0;

  // The second origin: like S3 behind a pre-signed URL, it needs no Authorization.
  const blobServer: Server = createServer((req, res) => {
    stats.blobRequests++;
    if (req.headers.authorization) stats.blobAuthorized++;
    const grant = grants.get((req.url ?? "").replace(/^\/blob\//, ""));
    if (!grant) {
      res.writeHead(403).end();
      return;
    }
    if (req.headers.range) stats.rangeRequests.push(req.headers.range);
    const headers: Record<string, string> = {};
    if (grant.authorization) headers.authorization = grant.authorization;
    if (req.headers.range) headers.range = req.headers.range;
    const cut = !reset && grant.path.endsWith(faults.resetBlob) && !req.headers.range;
    forward(upstreamPort, grant.path, req, headers, res, (up) => {
      if (!cut) {
        up.pipe(res);
        return;
      }
      // Half the body, then a reset: the client must resume with Range.
      reset = true;
      stats.resets++;
      const half = Math.floor(Number(up.headers["content-length"] ?? 0) / 2);
      let sent = 0;
      up.on("data", (c: Buffer) => {
        if (sent >= half) return;
        const part = c.subarray(0, half - sent);
        sent += part.length;
        res.write(part);
        if (sent >= half) {
          up.destroy();
          setTimeout(() => res.socket?.resetAndDestroy(), 20);
        }
      });
    });
  });

  const proxy: Server = createServer((req, res) => {
    if (req.headers.authorization) stats.proxyAuthorized++;
    const path = req.url ?? "/";
    if (req.method === "GET" && /\/manifests\//.test(path)) {
      manifestGets++;
      if (manifestGets <= 2) {
        // A burst of 503s on the first manifest fetch.
        stats.served503++;
        res.writeHead(503, { "content-type": "text/plain" }).end("try again");
        return;
      }
    }
    const blob = /\/blobs\/(sha256:[0-9a-f]{64})$/.exec(path);
    if (req.method === "GET" && blob) {
      if (!rateLimited && blob[1] === faults.rateLimitBlob) {
        rateLimited = true;
        stats.served429++;
        res.writeHead(429, { "retry-after": "1", "content-type": "application/json" }).end('{"errors":[{"code":"TOOMANYREQUESTS"}]}');
        return;
      }
      const id = randomUUID();
      grants.set(id, { path, authorization: req.headers.authorization });
      res.writeHead(307, { location: `http://127.0.0.1:${blobPort}/blob/${id}` }).end();
      return;
    }
    const headers: Record<string, string | string[] | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v;
    forward(upstreamPort, path, req, headers, res);
  });

  await new Promise<void>((r) => blobServer.listen(0, "127.0.0.1", r));
  blobPort = (blobServer.address() as { port: number }).port;
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  const port = (proxy.address() as { port: number }).port;
  return {
    port,
    blobPort,
    stats,
    stop: async () => {
      for (const s of [proxy, blobServer]) {
        s.closeAllConnections();
        await new Promise((r) => s.close(r));
      }
    },
  };
}

// ---------------------------------------------------------------------------
// A scripted proxy: forwards everything to the
// registry, records every request's headers, and lets the test decide a fault
// per request. A decoy server records anything that reaches it and must stay
// untouched.

/** Body bytes passed on before the fault: a count, or one chosen from the response's Content-Length. */
export type Cut = number | ((contentLength: number) => number);

/** What the proxy does with one request instead of forwarding it faithfully. */
export type Fault =
  /** Answer this status without asking the registry (e.g. 500/502/503, 401). */
  | { kind: "status"; status: number; headers?: Record<string, string>; body?: string }
  /** Forward the headers (Content-Length intact) and `afterBytes` body bytes, then a TCP reset. */
  | { kind: "reset"; afterBytes: Cut }
  /** The same, then a clean close (FIN): the body ends short of its Content-Length. */
  | { kind: "truncate"; afterBytes: Cut }
  /** The same, then silence: the connection stays open and nothing more is sent. */
  | { kind: "stall"; afterBytes: Cut }
  /** A redirect to `location` (resolved against the proxy). */
  | { kind: "redirect"; status?: number; location: string }
  /** Read the request, never answer (the headers timeout must fire). */
  | { kind: "hang" };

export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  range: string | undefined;
  fault: Fault["kind"] | undefined;
}

export interface ScriptedProxy {
  port: number;
  host: string;
  /** Every request that reached the proxy, in order. */
  seen: SeenRequest[];
  /** Decides each request's fault; undefined forwards it. Replaced per test. */
  plan: (req: SeenRequest, index: number) => Fault | undefined;
  /** Rewrites every WWW-Authenticate the registry sends (e.g. to move the realm). */
  challenge: ((value: string) => string) | undefined;
  stop(): Promise<void>;
}

function tracked(server: Server): Set<import("node:net").Socket> {
  const sockets = new Set<import("node:net").Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return sockets;
}

export async function startScriptedProxy(upstreamPort: number): Promise<ScriptedProxy> {
  const upstreams = new Set<ReturnType<typeof request>>();
  const self: ScriptedProxy = {
    port: 0,
    host: "",
    seen: [],
    plan: () => undefined,
    challenge: undefined,
    stop: async () => {},
  };
  const server = createServer((req, res) => {
    const seen: SeenRequest = {
      method: req.method ?? "",
      path: req.url ?? "/",
      authorization: req.headers.authorization,
      range: typeof req.headers.range === "string" ? req.headers.range : undefined,
      fault: undefined,
    };
    const fault = self.plan(seen, self.seen.length);
    seen.fault = fault?.kind;
    self.seen.push(seen);
    if (fault?.kind === "status") {
      res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers }).end(fault.body ?? '{"errors":[{"code":"UNAVAILABLE","message":"injected"}]}');
      return;
    }
    if (fault?.kind === "redirect") {
      res.writeHead(fault.status ?? 302, { location: fault.location }).end();
      return;
    }
    if (fault?.kind === "hang") {
      req.resume();
      return;
    }
    const headers: Record<string, string | string[] | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v;
    const up = request({ host: "127.0.0.1", port: upstreamPort, path: seen.path, method: req.method, headers }, (upRes) => {
      const h: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(upRes.headers)) if (v !== undefined && !HOP.has(k)) h[k] = v;
      if (self.challenge && typeof h["www-authenticate"] === "string") h["www-authenticate"] = self.challenge(h["www-authenticate"]);
      res.writeHead(upRes.statusCode ?? 502, h);
      if (!fault) {
        upRes.pipe(res);
        return;
      }
      // Send exactly `afterBytes` of the body, then misbehave.
      const limit = typeof fault.afterBytes === "function" ? fault.afterBytes(Number(upRes.headers["content-length"] ?? 0)) : fault.afterBytes;
      let sent = 0;
      let tripped = false;
      const trip = () => {
        if (tripped) return;
        tripped = true;
        upRes.destroy();
        const socket = res.socket;
        if (fault.kind === "reset") setTimeout(() => socket?.resetAndDestroy(), 10);
        else if (fault.kind === "truncate") setTimeout(() => socket?.end(), 10);
        // stall: leave the socket open; stop() closes it.
      };
      if (limit <= 0) {
        res.flushHeaders();
        trip();
        return;
      }
      upRes.on("data", (c: Buffer) => {
        if (tripped) return;
        const part = c.subarray(0, limit - sent);
        sent += part.length;
        res.write(part);
        if (sent >= limit) trip();
      });
      upRes.on("end", () => trip());
    });
    upstreams.add(up);
    up.on("close", () => upstreams.delete(up));
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  const sockets = tracked(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  self.port = (server.address() as { port: number }).port;
  self.host = `127.0.0.1:${self.port}`;
  self.stop = async () => {
    for (const u of upstreams) u.destroy();
    for (const s of sockets) s.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return self;
}

export interface Decoy {
  port: number;
  /** Everything that reached the decoy: must stay empty. */
  seen: { method: string; path: string; authorization: string | undefined }[];
  stop(): Promise<void>;
}

/** A server nobody should contact: it records and answers 404. */
export async function startDecoy(): Promise<Decoy> {
  const seen: Decoy["seen"] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? "", path: req.url ?? "", authorization: req.headers.authorization });
    res.writeHead(404).end();
  });
  const sockets = tracked(server);
  // Dual-stack "::" would also catch ::ffff:127.0.0.1; plain 127.0.0.1 already does for v4-mapped connects.
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as { port: number }).port,
    seen,
    stop: async () => {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
