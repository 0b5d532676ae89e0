// A minimal pull-only registry on 127.0.0.1 (distribution-spec "Pull":
// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pull)
// serving one OCI layout, that can drip a response: `bytes` every `everyMs`,
// headers sent at once with the full Content-Length, so only a total
// deadline (not an idle timeout) can end the wait. It answers a bounded
// number of requests and gives up on a drip after `maxMs`, so a client in a
// retry loop cannot keep it (or the test) running.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { readFileSync } from "node:fs";

export interface Drip {
  bytes: number;
  everyMs: number;
}

export interface DripPlan {
  manifest?: Drip;
  blobs?: Drip;
  /** The layer blobs only, the config at once: a deadline then lands with layers in flight. */
  layers?: Drip;
}

export interface DripRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  /** Request lines seen, in order (`GET /v2/…`). */
  seen: string[];
  close(): Promise<void>;
}

const MAX_REQUESTS = 50;
const MAX_DRIP_MS = 180_000;

export async function startDripRegistry(layout: string, repo: string, tag: string, plan: DripPlan): Promise<DripRegistry> {
  const index = JSON.parse(readFileSync(`${layout}/index.json`, "utf8")) as { manifests: { digest: string; mediaType: string }[] };
  const top = index.manifests[0]!;
  const blob = (digest: string) => readFileSync(`${layout}/blobs/sha256/${digest.slice("sha256:".length)}`);
  const layerDigests = () => new Set((JSON.parse(blob(top.digest).toString("utf8")) as { layers?: { digest: string }[] }).layers?.map((l) => l.digest));
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  function send(res: ServerResponse, body: Buffer, type: string, drip: Drip | undefined): void {
    res.writeHead(200, { "content-type": type, "content-length": body.length });
    if (!drip) {
      res.end(body);
      return;
    }
    res.flushHeaders();
    let off = 0;
    const started = Date.now();
    const t = setInterval(() => {
      if (res.destroyed || Date.now() - started > MAX_DRIP_MS) {
        clearInterval(t);
        timers.delete(t);
        res.destroy();
        return;
      }
      const part = body.subarray(off, off + drip.bytes);
      off += part.length;
      if (off >= body.length) {
        clearInterval(t);
        timers.delete(t);
        res.end(part);
      } else {
        res.write(part);
      }
    }, drip.everyMs);
    timers.add(t);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url}`);
    if (seen.length > MAX_REQUESTS) {
      res.destroy();
      return;
    }
    const url = req.url ?? "";
    if (url === "/v2/" || url === "/v2") {
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    } else if (url === `/v2/${repo}/manifests/${tag}` || url === `/v2/${repo}/manifests/${top.digest}`) {
      send(res, blob(top.digest), top.mediaType, plan.manifest);
    } else if (url.startsWith(`/v2/${repo}/blobs/sha256:`)) {
      const digest = url.slice(`/v2/${repo}/blobs/`.length);
      let body: Buffer;
      try {
        body = blob(digest);
      } catch {
        res.writeHead(404, { "content-type": "application/json" }).end('{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}');
        return;
      }
      send(res, body, "application/octet-stream", plan.blobs ?? (layerDigests().has(digest) ? plan.layers : undefined));
    } else {
      res.writeHead(404, { "content-type": "application/json" }).end('{"errors":[{"code":"NAME_UNKNOWN","message":"unknown"}]}');
    }
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    seen,
    close: async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
