// Wall time is bounded: a scan's overall deadline (ScanOptions.timeout)
// stops everything and says what was still running, and a registry blob
// must keep moving at a minimum rate that time the scan itself holds the
// stream back does not count against.
import { readdir } from "node:fs/promises";
import { PassThrough } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { LayerlintError, scan, type LayerWorkersMode } from "../packages/core/dist/index.js";
import { LayerlintError as SourceLayerlintError } from "../packages/core/src/errors.js";
import { BlobReader } from "../packages/core/src/registry/blob-reader.js";
import type { HttpResponse } from "../packages/core/src/registry/http.js";
import { defaultRetryPolicy } from "../packages/core/src/registry/retry.js";
import { cached, END, MiB, runFile, writeLayout, writeZstdLayer } from "./helpers/resource-images.js";

const openFds = async (): Promise<number> => (await readdir("/proc/self/fd")).length;
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function rejection(p: Promise<unknown>, type: typeof LayerlintError | typeof SourceLayerlintError = LayerlintError): Promise<LayerlintError> {
  const e = await p.then(
    () => new Error("resolved"),
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(type);
  return e as LayerlintError;
}

describe("ScanOptions.timeout", () => {
  // Eight zstd layers of 64 MiB each: a few seconds of decoding, so a short deadline lands mid-layer.
  let image: string;
  beforeAll(async () => {
    image = await cached("zstd-8x64m-v1", async (dir) => {
      const layers = [];
      for (let i = 0; i < 8; i++) layers.push(await writeZstdLayer(dir, [...runFile(`data/zeros-${i}`, 64 * MiB), END], 22));
      await writeLayout(dir, layers);
    });
  });

  it.each(["never", "always"] as const)(
    "rejects with TIMEOUT naming the layers in flight, promptly, and closes every file (layer workers: %s)",
    async (layerWorkers: LayerWorkersMode) => {
      // A whole scan first, so what the first one opens for good (the thread pool, the decoder) is counted before.
      await scan(`oci:${image}`, { layerWorkers, concurrency: 2 });
      await settle(200);
      const before = await openFds();
      const t0 = performance.now();
      const err = await rejection(scan(`oci:${image}`, { timeout: 300, concurrency: 2, layerWorkers }));
      const ms = performance.now() - t0;
      expect(err.code).toBe("TIMEOUT");
      expect(err.message).toMatch(
        /^scan did not finish within 300ms; still running: layer \d\/8 sha256:[0-9a-f]{12}… [\d.]+ (B|kB) of [\d.]+ kB read, layer \d\/8 sha256:[0-9a-f]{12}… [\d.]+ (B|kB) of [\d.]+ kB read$/,
      );
      expect(ms).toBeGreaterThanOrEqual(295);
      expect(ms).toBeLessThan(2300);
      await settle(300);
      expect(await openFds()).toBeLessThanOrEqual(before);
    },
    60_000,
  );

  it("lets a scan that finishes in time return its report, and a caller's abort still reads ABORTED", async () => {
    const r = await scan(`oci:${image}`, { timeout: 120_000 });
    expect(r.image.layers).toHaveLength(8);
    const ac = new AbortController();
    const p = scan(`oci:${image}`, { timeout: 120_000, signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    expect((await rejection(p)).code).toBe("ABORTED");
  }, 120_000);

  it("refuses a timeout no timer can wait: not positive, or past 2^31 - 1 ms", async () => {
    for (const timeout of [0, -1, Number.NaN, 2 ** 31]) {
      const err = await rejection(scan(`oci:${image}`, { timeout }));
      expect(err.code).toBe("INVALID_INPUT");
    }
  });
});

describe("BlobReader's minimum rate", () => {
  function reader(body: PassThrough, windowMs: number, minBytes: number): BlobReader {
    const res: HttpResponse = { status: 200, headers: {}, body: body as unknown as HttpResponse["body"], url: new URL("http://127.0.0.1/"), stream() {} };
    return new BlobReader(res, {
      refetch: () => Promise.reject(new Error("no resume expected")),
      refused: async () => new Error("no resume expected"),
      fail: (e) => (e instanceof Error ? e : new Error(String(e))),
      policy: defaultRetryPolicy,
      what: "127.0.0.1: blob sha256:ab12…",
      windowMs,
      minBytes,
    });
  }

  it("ends a dripped body with a one-line NETWORK_ERROR after one window, although bytes keep coming", async () => {
    const body = new PassThrough();
    const drip = setInterval(() => body.write(Buffer.alloc(100)), 50); // 2 kB/s, never silent
    try {
      const t0 = performance.now();
      const err = await rejection((async () => {
        for await (const _ of reader(body, 500, 64 * 1024)) {
          // consumed as fast as it comes
        }
      })(), SourceLayerlintError);
      expect(err.code).toBe("NETWORK_ERROR");
      expect(err.message).toMatch(/^127\.0\.0\.1: blob sha256:ab12…: download too slow: \d+ bytes in 0\.5 s, under the minimum of 65536 bytes per 0\.5 s$/);
      expect(performance.now() - t0).toBeLessThan(1500);
      expect(body.destroyed).toBe(true);
    } finally {
      clearInterval(drip);
    }
  });

  it("does not count time the consumer holds the stream back", async () => {
    const body = new PassThrough();
    const blob = reader(body, 200, 64 * 1024);
    const total = 4 * MiB;
    for (let off = 0; off < total; off += 64 * 1024) body.write(Buffer.alloc(64 * 1024));
    body.end();
    const it = blob[Symbol.asyncIterator]();
    let got = ((await it.next()).value as Buffer).length;
    // Five windows with the stream held back (a walk busy elsewhere, a layer waiting for decoder memory).
    await settle(1000);
    for (let r = await it.next(); !r.done; r = await it.next()) got += (r.value as Buffer).length;
    expect(got).toBe(total);
  });
});
