// The registry client's response bodies (registry/response.ts) and blob
// stream (registry/blob-reader.ts) against a plain HTTP server on
// 127.0.0.1: a reader that stops must stop the download, and giving up on a
// body must close its connection.
import { afterEach, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent } from "undici";
import { sendRequest } from "../packages/core/src/registry/response.js";
import { BlobReader } from "../packages/core/src/registry/blob-reader.js";
import { defaultRetryPolicy } from "../packages/core/src/registry/retry.js";

const MiB = 1024 * 1024;
const TOTAL = 256 * MiB;
const PIECE = Buffer.alloc(64 * 1024);
for (let i = 0; i < PIECE.length; i++) PIECE[i] = (i * 7 + 3) & 0xff;

interface Served {
  url: URL;
  /** Bytes the server has handed to its socket so far. */
  written: () => number;
  /** Resolves when the server sees the client's connection close. */
  closed: Promise<void>;
}

const servers: Server[] = [];
const agents: Agent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.destroy();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** Serves TOTAL bytes of PIECE repeated, writing only as fast as the socket drains. */
async function serve(): Promise<Served> {
  let written = 0;
  let onClose!: () => void;
  const closed = new Promise<void>((r) => (onClose = r));
  const server = createServer((req, res) => {
    req.socket.once("close", onClose);
    res.writeHead(200, { "content-length": String(TOTAL), "content-type": "application/octet-stream" });
    const pump = () => {
      while (written < TOTAL) {
        written += PIECE.length;
        if (!res.write(PIECE)) {
          res.once("drain", pump);
          return;
        }
      }
      res.end();
    };
    pump();
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}/blob`), written: () => written, closed };
}

function agent(): Agent {
  const a = new Agent();
  agents.push(a);
  return a;
}

function expectedDigest(): string {
  const h = createHash("sha256");
  for (let n = 0; n < TOTAL; n += PIECE.length) h.update(PIECE);
  return h.digest("hex");
}

describe("registry response bodies", () => {
  it("a body read by 'data' events in a BlobReader: a reader that stops holds the server back, and every byte arrives in order", async () => {
    const s = await serve();
    const res = await sendRequest(agent(), s.url, { method: "GET", headers: {} });
    expect(res.status).toBe(200);
    const blob = new BlobReader(
      { ...res, url: s.url },
      {
        refetch: () => Promise.reject(new Error("no resume expected")),
        refused: async () => new Error("no resume expected"),
        fail: (e) => (e instanceof Error ? e : new Error(String(e))),
        policy: defaultRetryPolicy,
        what: "test blob",
      },
    );
    const hash = createHash("sha256");
    let read = 0;
    const it = blob[Symbol.asyncIterator]();
    while (read < 4 * MiB) {
      const r = await it.next();
      expect(r.done).toBe(false);
      hash.update(r.value as Buffer);
      read += (r.value as Buffer).length;
    }
    // Unread, the server would send all 256 MiB in well under a second on
    // loopback; paused, it can only fill the socket buffers.
    await sleep(700);
    const ahead = s.written() - read;
    expect(ahead).toBeGreaterThan(0);
    expect(ahead).toBeLessThan(48 * MiB);
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      hash.update(r.value as Buffer);
      read += (r.value as Buffer).length;
    }
    expect(read).toBe(TOTAL);
    expect(hash.digest("hex")).toBe(expectedDigest());
  });

  it("destroying a body mid-way aborts the request: the server sees the connection close", async () => {
    const s = await serve();
    const res = await sendRequest(agent(), s.url, { method: "GET", headers: {} });
    const it = res.body[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    res.body.destroy();
    await s.closed;
    expect(s.written()).toBeLessThan(TOTAL);
  });

  it("an abort signal fails a request before its answer with the signal's reason, and a body mid-way with the same", async () => {
    const s = await serve();
    const early = new AbortController();
    early.abort(new Error("stop early"));
    await expect(sendRequest(agent(), s.url, { method: "GET", headers: {}, signal: early.signal })).rejects.toThrow("stop early");

    const late = new AbortController();
    const res = await sendRequest(agent(), s.url, { method: "GET", headers: {}, signal: late.signal });
    const it = res.body[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    late.abort(new Error("stop late"));
    await expect(
      (async () => {
        for (;;) if ((await it.next()).done) return;
      })(),
    ).rejects.toThrow("stop late");
    await s.closed;
  });
});
