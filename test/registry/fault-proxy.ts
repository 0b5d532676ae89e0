// A loopback proxy in front of a registry that misbehaves the way real
// ones do (issue 4 "Tests against a real registry"): blob GETs are
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
