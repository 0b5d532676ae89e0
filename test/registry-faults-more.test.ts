// Registry faults: a scripted loopback proxy in front of a real
// distribution registry (token auth) injects one kind of fault per test.
// Each case either gives a report identical to the clean run, or fails with
// a one-line LayerlintError within a bounded time. Timeouts and backoff are
// set short through scan()'s `registry` options; the CLI is checked for the
// exit code and the single stderr line of the refusals.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { LayerlintError, scan, type LayerWorkersMode, type RegistryOptions, type Report } from "../packages/core/dist/index.js";
import { checkRemoteUrl } from "../packages/core/src/registry/ssrf.js";
import { fixturesOut, runCli } from "./helpers/cli.js";
import { Rng } from "./helpers/prng.js";
import { ensureRegistryTools, startRegistry, type RunningRegistry } from "./registry/registry.js";
import { startTokenServer, type TokenServer } from "./registry/token-server.js";
import { startDecoy, startScriptedProxy, type Decoy, type Fault, type ScriptedProxy, type SeenRequest } from "./registry/fault-proxy.js";
import { skopeoPush } from "./registry/skopeo.js";

const USER = "faulty";
const PASSWORD = "pw-Mq4Rb8Lk2Tz7";
const catalog = JSON.parse(readFileSync(`${fixturesOut}/catalog.json`, "utf8")) as Record<string, { layerDigests: string[] }>;
const demo = catalog.demo!;

/** Seed of the PRNG (mulberry32): the fault offsets are random but the same on every run. */
const SEED = Number(process.env.LAYERLINT_FAULT_SEED ?? 0x5eed7);

let tokens: TokenServer;
let reg: RunningRegistry;
let proxy: ScriptedProxy;
let decoy: Decoy;
const clean = new Map<string, string>();

/** Short limits so the stalls and bursts resolve in well under a second each. */
const fast: RegistryOptions = {
  username: USER,
  password: PASSWORD,
  plainHttp: true,
  timeouts: { connectMs: 2_000, headersMs: 1_000, bodyMs: 400 },
  retry: { baseDelayMs: 20, maxDelayMs: 200, maxRetryAfterMs: 1_000 },
};

/**
 * The report as JSON with the proxy's host put back to the registry's, so a clean run compares byte
 * for byte. `layerWorkers`: the fixtures' layers are small, so "auto" keeps them on the scan thread.
 */
async function report(host: string, repo: string, opts: RegistryOptions = fast, layerWorkers: LayerWorkersMode = "auto"): Promise<string> {
  const r: Report = await scan(`${host}/${repo}`, { registry: opts, layerWorkers });
  return JSON.stringify(r).replaceAll(host, reg.host);
}

async function viaProxy(
  repo: string,
  plan: ScriptedProxy["plan"],
  opts: RegistryOptions = fast,
  layerWorkers: LayerWorkersMode = "auto",
): Promise<{ out: string; ms: number; seen: SeenRequest[] }> {
  const from = proxy.seen.length;
  proxy.plan = plan;
  const t0 = performance.now();
  try {
    const out = await report(proxy.host, repo, opts, layerWorkers);
    return { out, ms: performance.now() - t0, seen: proxy.seen.slice(from) };
  } finally {
    proxy.plan = () => undefined;
  }
}

async function failing(repo: string, plan: ScriptedProxy["plan"], opts: RegistryOptions = fast): Promise<{ err: LayerlintError; ms: number; seen: SeenRequest[] }> {
  const from = proxy.seen.length;
  proxy.plan = plan;
  const t0 = performance.now();
  try {
    const e = await scan(`${proxy.host}/${repo}`, { registry: opts }).then(
      () => new Error("scan succeeded"),
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(LayerlintError);
    expect((e as LayerlintError).message).not.toContain("\n");
    return { err: e as LayerlintError, ms: performance.now() - t0, seen: proxy.seen.slice(from) };
  } finally {
    proxy.plan = () => undefined;
  }
}

const blobPath = (digest: string) => (r: SeenRequest) => r.method === "GET" && r.path.endsWith(`/blobs/${digest}`);
const isBlob = (r: SeenRequest) => r.method === "GET" && /\/blobs\/sha256:/.test(r.path);
const isManifest = (r: SeenRequest) => r.method === "GET" && /\/manifests\//.test(r.path);

/** The fault for the first `n` requests matching `match`, then clean forwarding. */
function first(n: number, match: (r: SeenRequest) => boolean, fault: Fault | ((r: SeenRequest) => Fault)): ScriptedProxy["plan"] {
  let left = n;
  return (r) => {
    if (left <= 0 || !match(r)) return undefined;
    left--;
    return typeof fault === "function" ? fault(r) : fault;
  };
}

beforeAll(async () => {
  ensureRegistryTools();
  tokens = await startTokenServer({ username: USER, password: PASSWORD, identityToken: "unused-identity" });
  reg = await startRegistry({ kind: "token", realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, certFile: tokens.certFile });
  await Promise.all([
    skopeoPush("demo.oci", "demo:latest", `${reg.host}/demo:latest`, { creds: `${USER}:${PASSWORD}` }),
    skopeoPush("mixed.oci", "mixed:v1", `${reg.host}/mixed:v1`, { creds: `${USER}:${PASSWORD}` }),
  ]);
  [proxy, decoy] = await Promise.all([startScriptedProxy(reg.port), startDecoy()]);
  for (const repo of ["demo:latest", "mixed:v1"]) clean.set(repo, await report(reg.host, repo));
});

afterAll(async () => {
  await Promise.all([proxy?.stop(), decoy?.stop()]);
  await Promise.all([reg?.stop(), tokens?.stop()]);
});

describe("registry faults (scripted proxy, token auth)", () => {
  it("the proxy alone changes nothing", async () => {
    const { out } = await viaProxy("demo:latest", () => undefined);
    expect(out).toBe(clean.get("demo:latest"));
    expect(JSON.parse(out).image.layers).toHaveLength(demo.layerDigests.length);
  });

  /** Config and layer digests as the registry serves them (skopeo may recompress an uncompressed layer on push). */
  const blobsOf = (repo: string): string[] => {
    const image = (JSON.parse(clean.get(repo)!) as { image: { configDigest: string; layers: { digest: string }[] } }).image;
    return [image.configDigest, ...image.layers.map((l) => l.digest)];
  };

  /** Every blob of `repo` fails once, `kind` after a seeded random number of bytes; returns the cuts made. */
  async function cutEveryBlobOnce(
    repo: string,
    kind: "reset" | "truncate",
    rng: Rng,
    min: number,
    layerWorkers: LayerWorkersMode = "auto",
  ): Promise<void> {
    const digests = blobsOf(repo);
    const cuts = new Map<string, string>();
    const { out, ms, seen } = await viaProxy(repo, (r) => {
      const d = /\/blobs\/(sha256:[0-9a-f]{64})$/.exec(r.path)?.[1];
      if (!d || cuts.has(d)) return undefined;
      cuts.set(d, "");
      return {
        kind,
        afterBytes: (len) => {
          const at = min + Math.floor(rng.next() * (len - min));
          cuts.set(d, `${at}/${len}`);
          return at;
        },
      };
    }, fast, layerWorkers);
    expect(out, `${repo}: cuts ${JSON.stringify([...cuts.values()])}`).toBe(clean.get(repo));
    expect([...cuts.keys()].sort()).toEqual([...digests].sort());
    for (const d of digests) expect(seen.filter(blobPath(d)).length, `${d} fetched again after the ${kind}`).toBeGreaterThanOrEqual(2);
    // A resume asks for the bytes after those received, never from 0 or beyond the cut.
    for (const r of seen.filter((x) => x.range)) {
      const at = Number(/^bytes=(\d+)-$/.exec(r.range!)?.[1]);
      const d = /\/blobs\/(sha256:[0-9a-f]{64})$/.exec(r.path)![1]!;
      expect(at).toBeGreaterThan(0);
      expect(at).toBeLessThanOrEqual(Number(cuts.get(d)!.split("/")[0]));
    }
    expect(ms).toBeLessThan(10_000);
  }

  it(`a connection reset at a random byte of every blob (seed ${SEED}): resumed, identical output`, async () => {
    const rng = new Rng(SEED);
    for (const repo of ["demo:latest", "mixed:v1"]) await cutEveryBlobOnce(repo, "reset", rng, 0);
  });

  it(`a truncated body with the right Content-Length, random byte (seed ${SEED + 1}): resumed, identical output`, async () => {
    const rng = new Rng(SEED + 1);
    for (const repo of ["demo:latest", "mixed:v1"]) await cutEveryBlobOnce(repo, "truncate", rng, 1);
  });

  it(`the same resets and truncations with every layer decoded in a worker thread (seed ${SEED + 2}): identical output`, async () => {
    const rng = new Rng(SEED + 2);
    for (const repo of ["demo:latest", "mixed:v1"]) {
      await cutEveryBlobOnce(repo, "reset", rng, 0, "always");
      await cutEveryBlobOnce(repo, "truncate", rng, 1, "always");
    }
  });

  it("a truncated and a reset manifest body: fetched again, identical output", async () => {
    for (const kind of ["truncate", "reset"] as const) {
      const { out, seen } = await viaProxy("demo:latest", first(1, isManifest, { kind, afterBytes: 100 }));
      expect(out).toBe(clean.get("demo:latest"));
      expect(seen.filter(isManifest).length).toBe(2);
    }
  });

  for (const status of [500, 502, 503]) {
    it(`a burst of ${status}s on manifests, config and blobs: retried, identical output`, async () => {
      // Three in a row for each path: under the default 5 attempts.
      const counts = new Map<string, number>();
      const { out, seen } = await viaProxy("demo:latest", (r) => {
        if (!isManifest(r) && !isBlob(r)) return undefined;
        const n = counts.get(r.path) ?? 0;
        counts.set(r.path, n + 1);
        return n < 3 ? { kind: "status", status } : undefined;
      });
      expect(out).toBe(clean.get("demo:latest"));
      expect(seen.filter((r) => r.fault === "status").length).toBe(3 * (1 + 1 + demo.layerDigests.length));
    });
  }

  it("503 that never ends: a one-line error after the bounded attempts", async () => {
    const { err, ms, seen } = await failing("demo:latest", (r) => (isManifest(r) ? { kind: "status", status: 503 } : undefined));
    expect(err.code).toBe("REGISTRY_ERROR");
    expect(err.message).toBe(`${proxy.host}/demo:latest: manifest: HTTP 503: injected`);
    expect(seen.filter(isManifest).length).toBe(5);
    expect(ms).toBeLessThan(5_000);
  });

  it("a server that stops sending mid-blob: the body timeout fires, the download resumes, identical output", async () => {
    const target = demo.layerDigests[2]!;
    const { out, ms, seen } = await viaProxy("demo:latest", first(1, blobPath(target), { kind: "stall", afterBytes: 300 }));
    expect(out).toBe(clean.get("demo:latest"));
    expect(seen.filter(blobPath(target)).map((r) => r.range)).toEqual([undefined, "bytes=300-"]);
    expect(ms).toBeGreaterThanOrEqual(400); // the 400 ms body timeout, not a fast error
    expect(ms).toBeLessThan(5_000);
  });

  it("a server that stops sending a manifest, or never sends headers: timeouts fire, retried, identical output", async () => {
    const stalled = await viaProxy("demo:latest", first(1, isManifest, { kind: "stall", afterBytes: 50 }));
    expect(stalled.out).toBe(clean.get("demo:latest"));
    const hung = await viaProxy("demo:latest", first(1, blobPath(demo.layerDigests[0]!), { kind: "hang" }));
    expect(hung.out).toBe(clean.get("demo:latest"));
    expect(hung.ms).toBeGreaterThanOrEqual(1_000); // the 1 s headers timeout
    expect(hung.ms).toBeLessThan(6_000);
  });

  it("a blob that always stalls: a one-line timeout error within a bounded time", async () => {
    const target = demo.layerDigests[1]!;
    const opts: RegistryOptions = { ...fast, retry: { ...fast.retry, attempts: 3 } };
    const { err, ms, seen } = await failing("demo:latest", (r) => (blobPath(target)(r) ? { kind: "stall", afterBytes: 200 } : undefined), opts);
    expect(err.code).toBe("NETWORK_ERROR");
    expect(err.message).toBe(`${proxy.host}: blob ${target.slice(0, 19)}…: read timed out: no data for 400 ms`);
    // 3 attempts, each resuming where the last one stopped, and no more: a transport failure is
    // not re-read to look for a digest mismatch. undici checks the body timeout about every 0.5 s,
    // so each stall lasts 0.4–1 s.
    const ranges = seen.filter(blobPath(target)).map((r) => r.range ?? "");
    expect(ranges).toEqual(["", "bytes=200-", "bytes=400-"]);
    expect(ms).toBeLessThan(5_000);
  });

  it("redirect loops (self and ping-pong): 'too many redirects' quickly, bounded requests", async () => {
    const target = demo.layerDigests[0]!;
    const self = await failing("demo:latest", (r) => (blobPath(target)(r) ? { kind: "redirect", location: r.path } : undefined));
    expect(self.err.message).toMatch(/^127\.0\.0\.1:\d+: too many redirects \(more than 5\)$/);
    expect(self.ms).toBeLessThan(3_000);
    expect(self.seen.filter(blobPath(target)).length).toBe(6);

    const pong = await failing("demo:latest", (r) => {
      if (blobPath(target)(r)) return { kind: "redirect", status: 307, location: `/elsewhere/${target}` };
      if (r.path === `/elsewhere/${target}`) return { kind: "redirect", status: 301, location: `/v2/demo/blobs/${target}` };
      return undefined;
    });
    expect(pong.err.message).toMatch(/too many redirects/);
    expect(pong.seen.length).toBeLessThan(20);

    // The CLI: exit 2 and exactly one line (default timeouts; the loop needs none).
    proxy.plan = (r) => (blobPath(target)(r) ? { kind: "redirect", location: r.path } : undefined);
    try {
      const r = await runCli(["scan", `${proxy.host}/demo:latest`, "--username", USER, "--password-stdin", "--quiet"], { input: PASSWORD });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(`error: ${proxy.host}: too many redirects (more than 5)\n`);
    } finally {
      proxy.plan = () => undefined;
    }
  });

  it("a 401 on a blob after the token was accepted: one fresh token, then success with identical output", async () => {
    const challenge = `Bearer realm="${tokens.realm}",service="${tokens.service}",scope="repository:demo:pull"`;
    const target = demo.layerDigests[3]!;
    const tokenCalls = tokens.requests.length;
    const { out, seen } = await viaProxy(
      "demo:latest",
      first(1, (r) => blobPath(target)(r) && Boolean(r.authorization?.startsWith("Bearer ")), {
        kind: "status",
        status: 401,
        headers: { "www-authenticate": challenge },
        body: '{"errors":[{"code":"UNAUTHORIZED","message":"token expired"}]}',
      }),
    );
    expect(out).toBe(clean.get("demo:latest"));
    // One token for the scan, one more after the 401.
    expect(tokens.requests.length - tokenCalls).toBe(2);
    const tries = seen.filter(blobPath(target));
    expect(tries).toHaveLength(2);
    expect(tries[1]!.authorization).toMatch(/^Bearer /);
    expect(tries[1]!.authorization).not.toBe(tries[0]!.authorization);
  });

  it("a 401 that persists after re-authenticating: the one-line auth error, one retry only", async () => {
    const challenge = `Bearer realm="${tokens.realm}",service="${tokens.service}",scope="repository:demo:pull"`;
    const target = demo.layerDigests[3]!;
    const plan: ScriptedProxy["plan"] = (r) => (blobPath(target)(r) ? { kind: "status", status: 401, headers: { "www-authenticate": challenge } } : undefined);
    const { err, ms, seen } = await failing("demo:latest", plan);
    expect(err.code).toBe("AUTH_FAILED");
    expect(err.message).toBe(`${proxy.host}: authentication failed (401): the registry rejected the credentials from the username and password given`);
    expect(seen.filter(blobPath(target))).toHaveLength(2);
    expect(ms).toBeLessThan(3_000);

    proxy.plan = plan;
    try {
      const r = await runCli(["files", `${proxy.host}/demo:latest`, "--username", USER, "--password-stdin", "--quiet"], { input: PASSWORD });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`error: ${proxy.host}: authentication failed (401): the registry rejected the credentials from --password-stdin\n`);
    } finally {
      proxy.plan = () => undefined;
    }
  });

  it("a WWW-Authenticate realm on another host (private, loopback alias, v4-mapped): refused, nothing sent there", async () => {
    // The registry is 127.0.0.1; its token server on another port of that host is its own realm (https://distribution.github.io/distribution/spec/auth/token/),
    // every other loopback or private host is not.
    const realms = [
      ["http://10.0.0.1/token", "10.0.0.1"],
      [`http://localhost:${decoy.port}/token`, "localhost"],
      [`http://localhost.:${decoy.port}/token`, "localhost."],
      [`http://127.0.0.2:${decoy.port}/token`, "127.0.0.2"],
      [`http://[::1]:${decoy.port}/token`, "[::1]"],
      ["http://[::ffff:10.0.0.1]/token", "[::ffff:a00:1]"],
      ["http://[::ffff:192.168.1.1]/token", "[::ffff:c0a8:101]"],
    ] as const;
    const tokenCalls = tokens.requests.length;
    for (const [realm, host] of realms) {
      proxy.challenge = (v) => v.replace(/realm="[^"]*"/, `realm="${realm}"`);
      try {
        const { err, ms } = await failing("demo:latest", () => undefined);
        expect(err.code).toBe("REGISTRY_ERROR");
        expect(err.message).toBe(`${proxy.host}: refusing token realm to private host ${host}`);
        expect(ms).toBeLessThan(2_000);
      } finally {
        proxy.challenge = undefined;
      }
    }
    proxy.challenge = (v) => v.replace(/realm="[^"]*"/, `realm="http://localhost:${decoy.port}/token"`);
    try {
      const r = await runCli(["digest", `${proxy.host}/demo:latest`, "--username", USER, "--password-stdin"], { input: PASSWORD });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`error: ${proxy.host}: refusing token realm to private host localhost\n`);
    } finally {
      proxy.challenge = undefined;
    }
    expect(decoy.seen).toEqual([]);
    expect(tokens.requests.length).toBe(tokenCalls);
  });

  it("the realm guard reads IPv4-mapped IPv6 as the IPv4 it reaches", () => {
    const reg = new URL("https://registry.example.com");
    for (const realm of ["https://[::ffff:127.0.0.1]/token", "https://[::ffff:7f00:1]:8443/token", "https://[0:0:0:0:0:ffff:a9fe:a9fe]/token"]) {
      expect(() => checkRemoteUrl(new URL(realm), reg, "token realm", "r"), realm).toThrow(/refusing token realm to private host/);
    }
    expect(() => checkRemoteUrl(new URL("https://[::ffff:808:808]/token"), reg, "token realm", "r")).not.toThrow();
  });

  it("a blob redirect to a loopback alias or private v4-mapped address: refused, nothing sent there", async () => {
    const target = demo.layerDigests[0]!;
    for (const [origin, host] of [
      [`http://localhost:${decoy.port}`, "localhost"],
      ["http://[::ffff:10.0.0.1]", "[::ffff:a00:1]"],
    ] as const) {
      const { err, ms } = await failing("demo:latest", (r) => (blobPath(target)(r) ? { kind: "redirect", status: 307, location: `${origin}/blob` } : undefined));
      expect(err.message).toBe(`${proxy.host}: refusing redirect to private host ${host}`);
      expect(ms).toBeLessThan(2_000);
    }
    expect(decoy.seen).toEqual([]);
  });

  it("Authorization went only to the registry (proxy) and its token realm", () => {
    // Everything the client sent reached either the proxy, the token server or (never) the decoy.
    expect(decoy.seen.filter((r) => r.authorization)).toEqual([]);
    const bearer = proxy.seen.filter((r) => r.authorization?.startsWith("Bearer "));
    expect(bearer.length).toBeGreaterThan(50);
    // Every Bearer the registry saw was minted by the realm.
    for (const r of bearer) expect(tokens.issued).toContain(r.authorization!.slice(7));
    // Basic credentials went to the realm only, never to the registry itself.
    expect(proxy.seen.filter((r) => r.authorization?.startsWith("Basic "))).toEqual([]);
    expect(tokens.requests.some((r) => r.hasBasic)).toBe(true);
  });
});

describe("AbortSignal during a registry download", () => {
  it.each(["never", "always"] as const)("rejects promptly with ABORTED mid-blob and leaves no socket or file handle open (layer workers: %s)", async (layerWorkers) => {
    const openFds = async () => (await readdir("/proc/self/fd")).length;
    await new Promise((r) => setTimeout(r, 300));
    const before = await openFds();
    // A blob that stalls after 100 bytes, with a body timeout long enough that only the abort can end it.
    proxy.plan = first(1, isBlob, { kind: "stall", afterBytes: 100 });
    const ac = new AbortController();
    const slow: RegistryOptions = { ...fast, timeouts: { connectMs: 2_000, headersMs: 30_000, bodyMs: 30_000 } };
    let abortedAt = 0;
    const timer = setInterval(() => {
      if (abortedAt === 0 && proxy.seen.some((r) => r.fault === "stall")) {
        abortedAt = performance.now();
        ac.abort();
      }
    }, 20);
    try {
      const err = await scan(`${proxy.host}/demo:latest`, { registry: slow, signal: ac.signal, layerWorkers }).then(
        () => new Error("scan succeeded"),
        (x: unknown) => x,
      );
      expect(abortedAt, "the download reached the stalled blob").toBeGreaterThan(0);
      expect(err).toBeInstanceOf(LayerlintError);
      expect((err as LayerlintError).code).toBe("ABORTED");
      expect(performance.now() - abortedAt).toBeLessThan(2_000);
    } finally {
      clearInterval(timer);
      proxy.plan = () => undefined;
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(await openFds()).toBeLessThanOrEqual(before);
  });
});
