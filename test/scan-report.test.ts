import { beforeAll, describe, expect, it } from "vitest";
import { CATEGORIES, reportSchema, scan, type Report } from "../packages/core/dist/index.js";
import { fixturesOut, runCli } from "./helpers/cli.js";

// The demo image yields findings in every category,
// its deleted secret ships with inFinalImage false, whited-out tools and
// setuid binaries are not present, and the JSON validates against the
// zod schema core exports.
let demo: Report;

describe("scan of the demo image", () => {
  beforeAll(async () => {
    const r = await runCli(["scan", `oci-archive:${fixturesOut}/demo.oci.tar`, "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    demo = reportSchema.parse(JSON.parse(r.stdout));
  });

  it("validates against the exported report schema", () => {
    expect(demo.schemaVersion).toBe(1);
    expect(demo.tool.name).toBe("layerlint");
    expect(demo.image.source).toBe("oci-archive");
    expect(demo.image.os).toMatchObject({ id: "debian", versionId: "12" });
  });

  it("has findings in every category but analysis: its analysis is complete", () => {
    const seen = new Set(demo.findings.map((f) => f.category));
    for (const c of CATEGORIES) if (c !== "analysis") expect(seen, `category ${c}`).toContain(c);
    expect(seen.has("analysis")).toBe(false);
    expect(demo.analysis).toEqual({ complete: true, gaps: [] });
  });

  it("reports the secret deleted in a later layer as still shipped", () => {
    const key = demo.findings.find((f) => f.path === "/root/.ssh/id_ed25519");
    expect(key).toMatchObject({ category: "secret", inFinalImage: false, severity: "high" });
    expect(key!.layer).toBeLessThan(demo.image.layers.length - 1);
  });

  it("does not report tools or setuid binaries removed by a whiteout", () => {
    const paths = demo.findings.filter((f) => f.inFinalImage).map((f) => f.path);
    expect(paths).not.toContain("/usr/bin/newgrp");
    expect(paths).not.toContain("/usr/bin/telnet");
    expect(demo.findings.filter((f) => f.category === "setuid").map((f) => f.path ?? f.ruleId).sort()).toEqual([
      "/usr/local/bin/hello-server",
      "setuid-stock",
    ]);
  });

  it("groups the stock setuid/setgid files dpkg installed into one low finding, and keeps the unowned one high", () => {
    const stock = demo.findings.filter((f) => f.ruleId === "setuid-stock");
    expect(stock).toHaveLength(1);
    expect(stock[0]).toMatchObject({ category: "setuid", severity: "low", inFinalImage: true });
    const files = stock[0]!.evidence!["files"] as Array<Record<string, string>>;
    expect(files.map((f) => [f.path, f.octal, f.owner, f.package, f.verifiedBy])).toEqual([
      ["/usr/bin/chage", "2755", "0:42", "passwd", "md5 digest"],
      ["/usr/bin/mount", "4755", "0:0", "mount", "layer"],
      ["/usr/bin/passwd", "4755", "0:0", "passwd", "md5 digest"],
      ["/usr/bin/su", "4755", "0:0", "util-linux", "layer"],
    ]);
    expect(demo.findings.filter((f) => f.ruleId === "setuid-binary").map((f) => [f.path, f.severity, f.layer])).toEqual([
      ["/usr/local/bin/hello-server", "high", 4],
    ]);
    // Not a stock name: its own finding, as before.
    expect(demo.findings.filter((f) => f.category === "setgid").map((f) => [f.path, f.severity])).toEqual([["/usr/bin/write", "low"]]);
  });

  it("rates the world-readable private key critical and the public CA not at all", () => {
    expect(demo.findings.find((f) => f.path === "/app/config/server.key")).toMatchObject({ severity: "critical" });
    expect(demo.findings.some((f) => f.path === "/etc/ssl/certs/demo-ca.pem")).toBe(false);
  });

  it("never prints a planted secret, in JSON or text", async () => {
    const text = await runCli(["scan", `oci-archive:${fixturesOut}/demo.oci.tar`]);
    const json = JSON.stringify(demo);
    for (const secret of ["s3cr3tpassw0rd", "wJalrXUtnFEMI", "AKIAIOSFODNN7EXAMPLE"]) {
      expect(json).not.toContain(secret);
      expect(text.stdout).not.toContain(secret);
    }
    // ghp_ tokens: nothing past the 4-character prefix.
    expect(json).not.toMatch(/ghp_[A-Za-z0-9]{2,}/);
    expect(text.stdout).not.toMatch(/ghp_[A-Za-z0-9]{2,}/);
  });

  it("writes the report to --output and nothing to stdout", async () => {
    const { mkdtemp, readFile, rm } = await import("node:fs/promises");
    const dir = await mkdtemp("/tmp/layerlint-out-");
    try {
      const r = await runCli(["scan", `${fixturesOut}/demo.oci.tar`, "--format", "json", "--output", `${dir}/r.json`]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe("");
      const written = reportSchema.parse(JSON.parse(await readFile(`${dir}/r.json`, "utf8")));
      expect(written.findings).toEqual(demo.findings);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("scan of the distroless fixture", () => {
  it("finds no tools, no root and no secrets", async () => {
    const r = await runCli(["scan", `oci:${fixturesOut}/distroless.oci`, "--format", "json"]);
    expect(r.code).toBe(0);
    const rep = reportSchema.parse(JSON.parse(r.stdout));
    const bad = rep.findings.filter((f) => !["config"].includes(f.category));
    expect(bad).toEqual([]);
    expect(rep.image.baseClass.class).toBe("distroless");
  });
});

describe("limits.maxSecretFileBytes", () => {
  it("caps the content read per file: larger files are judged by name only", async () => {
    const r = await scan(`oci:${fixturesOut}/demo.oci`, { limits: { maxSecretFileBytes: 16 } });
    const files = r.findings.filter((f) => f.category === "secret" && f.path !== undefined);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(f.evidence?.byName, f.path).toBe(true);
    // The world-readable server.key has no telling name: unread, it is not reported.
    expect(files.some((f) => f.path === "/app/config/server.key")).toBe(false);
  });
});
