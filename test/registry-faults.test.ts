// Issue 4 §5 against a misbehaving registry: blob GETs redirected to a
// second origin (which must never see Authorization), a reset mid-blob
// (resumed with Range), a 429 with Retry-After and a burst of 503s. The
// scan must finish with output identical to the fault-free run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fixturesOut, runCli } from "./helpers/cli.js";
import { ensureRegistryTools, startRegistry, type RunningRegistry } from "./registry/registry.js";
import { startFaultProxy, type FaultProxy } from "./registry/fault-proxy.js";
import { skopeoPush } from "./registry/skopeo.js";
import { filesJson, imageFindings, scanJson } from "./registry/compare.js";

const USER = "faulty";
const PASSWORD = "pw-Fa8uLt7yR3gq";
const catalog = JSON.parse(readFileSync(`${fixturesOut}/catalog.json`, "utf8")) as Record<string, { layerDigests: string[] }>;
const layers = catalog.demo!.layerDigests;

let reg: RunningRegistry;
let proxy: FaultProxy;

beforeAll(async () => {
  ensureRegistryTools();
  reg = await startRegistry({ kind: "htpasswd", username: USER, password: PASSWORD });
  await skopeoPush("demo.oci", "demo:latest", `${reg.host}/demo:latest`, { creds: `${USER}:${PASSWORD}` });
  proxy = await startFaultProxy(reg.port, { resetBlob: layers[0]!, rateLimitBlob: layers[1]! });
});

afterAll(async () => {
  await proxy?.stop();
  await reg?.stop();
});

describe("registry faults", () => {
  it("redirects, a reset mid-blob, 429 and 503s: same output, no Authorization at the blob origin", async () => {
    const creds = ["--username", USER, "--password-stdin"];
    const direct = `${reg.host}/demo:latest`;
    const viaProxy = `127.0.0.1:${proxy.port}/demo:latest`;
    const t0 = Date.now();
    const faulty = await scanJson(viaProxy, creds, undefined, PASSWORD);
    const elapsed = Date.now() - t0;
    const clean = await scanJson(direct, creds, undefined, PASSWORD);
    expect(imageFindings(faulty.findings)).toEqual(imageFindings(clean.findings));
    expect(faulty.image.manifestDigest).toBe(clean.image.manifestDigest);
    expect(faulty.image.layers).toEqual(clean.image.layers);
    expect(await filesJson(viaProxy, creds, undefined, PASSWORD)).toBe(await filesJson(direct, creds, undefined, PASSWORD));

    expect(proxy.stats.served503).toBe(2);
    expect(proxy.stats.served429).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(1000); // Retry-After: 1 was honoured
    expect(proxy.stats.resets).toBe(1);
    expect(proxy.stats.rangeRequests.length).toBeGreaterThanOrEqual(1);
    expect(proxy.stats.rangeRequests[0]).toMatch(/^bytes=[1-9]\d*-$/);
    expect(proxy.stats.proxyAuthorized).toBeGreaterThan(0);
    expect(proxy.stats.blobRequests).toBeGreaterThan(layers.length);
    expect(proxy.stats.blobAuthorized).toBe(0);
  });
});
