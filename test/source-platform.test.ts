// --platform on an image with no index to choose from: the image must be
// that platform, for local and registry inputs alike; without the flag
// nothing changes.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/gate.js";
import { baseTar, dockerSaveFiles, image, layer, layoutFiles, MT, writeArchive, writeTree, type Built, type Json } from "./hostile/build.js";
import { REF_NAME } from "../fixtures/lib/oci-layout.js";

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir("layerlint-platform-");
});
afterAll(async () => {
  await tmp.cleanup();
});

async function single(platform: Json = {}): Promise<Built> {
  return image({ layers: [layer(await baseTar(), "none")], config: (c) => Object.assign(c, platform) });
}

const mismatch = (input: string, actual: string, wanted: string) =>
  `error: ${input} is ${actual} only; --platform ${wanted} does not match\n`;

describe("--platform on a single-platform image", () => {
  it("an OCI layout whose one manifest is amd64: --platform linux/arm64 is an error for scan, files and info", async () => {
    const input = `oci:${await writeTree(`${tmp.dir}/amd64`, layoutFiles(await single()))}`;
    for (const cmd of ["scan", "files", "info"]) {
      const r = await runCli([cmd, input, "--platform", "linux/arm64"]);
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }, cmd).toEqual({ code: 2, stdout: "", stderr: mismatch(input, "linux/amd64", "linux/arm64") });
    }
    // Matching by containerd's normalisation, and no flag at all: read as before.
    for (const flags of [["--platform", "linux/amd64"], ["--platform", "linux/x86_64"], []]) {
      const r = await runCli(["files", input, ...flags]);
      expect({ code: r.code, stderr: r.stderr }, flags.join(" ")).toEqual({ code: 0, stderr: "" });
    }
  });

  it("a docker save archive, by path and by tag: the same error", async () => {
    const tar = await writeArchive(`${tmp.dir}/amd64.tar`, dockerSaveFiles([{ b: await single(), tags: ["app:1"] }]));
    for (const input of [tar, `docker-archive:${tar}:app:1`]) {
      const r = await runCli(["scan", input, "--platform", "linux/arm64/v8"]);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: mismatch(input, "linux/amd64", "linux/arm64/v8") });
    }
    expect((await runCli(["files", tar, "--platform", "linux/amd64"])).code).toBe(0);
  });

  it("an index entry taken by name declares its platform: that, not the config, is what must match (as containerd reads it)", async () => {
    const b = await single(); // config: amd64
    const dir = await writeTree(`${tmp.dir}/named`, layoutFiles(b, { platform: { os: "linux", architecture: "arm64" }, annotations: { [REF_NAME]: "app:1" } }));
    const input = `oci:${dir}:app:1`;
    const r = await runCli(["files", input, "--platform", "linux/amd64"]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: mismatch(input, "linux/arm64", "linux/amd64") });
    expect((await runCli(["files", input, "--platform", "linux/arm64"])).code).toBe(0);
  });

  it("a config that records no variant matches every variant of its architecture, as docker's fallback does; one that records another is an error", async () => {
    const bare = `oci:${await writeTree(`${tmp.dir}/arm`, layoutFiles(await single({ architecture: "arm" })))}`;
    for (const p of ["linux/arm/v6", "linux/arm/v7", "linux/arm"]) expect((await runCli(["files", bare, "--platform", p])).code, p).toBe(0);
    const v7 = `oci:${await writeTree(`${tmp.dir}/armv7`, layoutFiles(await single({ architecture: "arm", variant: "v7" })))}`;
    const r = await runCli(["files", v7, "--platform", "linux/arm/v6"]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: mismatch(v7, "linux/arm/v7", "linux/arm/v6") });
    expect((await runCli(["files", v7, "--platform", "linux/arm"])).code).toBe(0);
  });

  describe("from a registry", () => {
    let server: Server;
    let host = "";
    const requests: string[] = [];

    beforeAll(async () => {
      const b = await single();
      const served = new Map<string, { type: string; body: Buffer }>([
        ["/v2/app/manifests/1", { type: MT.manifest, body: b.manifest.data }],
        [`/v2/app/manifests/${b.manifest.digest}`, { type: MT.manifest, body: b.manifest.data }],
        [`/v2/app/blobs/${b.config.digest}`, { type: "application/octet-stream", body: b.config.data }],
      ]);
      for (const f of b.files) served.set(`/v2/app/blobs/sha256:${f.path.split("/").pop()}`, { type: "application/octet-stream", body: f.data! });
      server = createServer((req, res) => {
        requests.push(req.url ?? "");
        if (req.url === "/v2/") return void res.writeHead(200).end("{}");
        const d = served.get(req.url ?? "");
        if (!d) return void res.writeHead(404).end();
        res.writeHead(200, { "content-type": d.type, "content-length": d.body.length }).end(d.body);
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      host = `127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });

    it("a manifest by tag (no index) is checked against its config, before any layer is fetched", async () => {
      const input = `${host}/app:1`;
      requests.length = 0;
      const r = await runCli(["scan", input, "--plain-http", "--quiet", "--platform", "linux/arm64"]);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: mismatch(input, "linux/amd64", "linux/arm64") });
      expect(requests.filter((u) => u.includes("/blobs/")).length).toBe(1); // the config only
      const ok = await runCli(["scan", input, "--plain-http", "--quiet", "--platform", "linux/amd64", "--format", "json"]);
      expect({ code: ok.code, stderr: ok.stderr }).toEqual({ code: 0, stderr: "" });
    });

    it("digest --platform prints no digest for an image of another platform", async () => {
      const input = `${host}/app:1`;
      const r = await runCli(["digest", input, "--plain-http", "--platform", "linux/arm64"]);
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 2, stdout: "", stderr: mismatch(input, "linux/amd64", "linux/arm64") });
      const ok = await runCli(["digest", input, "--plain-http", "--platform", "linux/amd64"]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    });
  });
});
