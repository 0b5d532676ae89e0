// A registry behind TLS with a certificate from our own CA ("--insecure"
// and NODE_EXTRA_CA_CERTS): untrusted is a one-line error that
// says what to do, even on a loopback host (no silent fall back to http);
// --insecure reads it with a warning; adding the CA reads it without one.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { ensureRegistryTools, startRegistry, type RunningRegistry } from "./registry/registry.js";
import { skopeoPush } from "./registry/skopeo.js";

let dir: string;
let reg: RunningRegistry;

/** A CA, and a server certificate it signs for IP 127.0.0.1. */
function makeCertificates(at: string): { ca: string; cert: string; key: string } {
  const f = (name: string) => join(at, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "2",
    "-subj", "/CN=layerlint test CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign");
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f("server.key"), "-out", f("server.csr"), "-subj", "/CN=127.0.0.1");
  writeFileSync(f("ext.cnf"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  openssl("x509", "-req", "-in", f("server.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial",
    "-out", f("server.pem"), "-days", "2", "-extfile", f("ext.cnf"));
  return { ca: f("ca.pem"), cert: f("server.pem"), key: f("server.key") };
}

let ca: string;

beforeAll(async () => {
  ensureRegistryTools();
  dir = mkdtempSync(join(tmpdir(), "layerlint-tls-"));
  const certs = makeCertificates(dir);
  ca = certs.ca;
  reg = await startRegistry({ kind: "none" }, { tls: { certFile: certs.cert, keyFile: certs.key } });
  await skopeoPush("demo.oci", "demo:latest", `${reg.host}/demo:latest`);
});

afterAll(async () => {
  await reg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("registry over TLS with a private CA", () => {
  it("an untrusted certificate is a one-line error naming both ways out, not a fall back to http", async () => {
    const r = await runCli(["info", `${reg.host}/demo:latest`]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      new RegExp(`^error: ${reg.host}: TLS certificate not trusted: .*; add its CA with NODE_EXTRA_CA_CERTS, or skip the check with --insecure\\n$`),
    );
  });

  it("--insecure reads it and warns once on stderr", async () => {
    const r = await runCli(["info", "--insecure", "--format", "json", `${reg.host}/demo:latest`]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).source).toBe("registry");
    const warnings = r.stderr.split("\n").filter((l) => l.startsWith("warning:"));
    expect(warnings).toEqual([`warning: ${reg.host}: TLS certificate verification is disabled (--insecure)`]);
  });

  it("NODE_EXTRA_CA_CERTS with the CA reads it with verification on, and the same manifest digest", async () => {
    const trusted = await runCli(["digest", `${reg.host}/demo:latest`], { env: { NODE_EXTRA_CA_CERTS: ca } });
    expect(trusted.stderr).toBe("");
    expect(trusted.code).toBe(0);
    const insecure = await runCli(["digest", "--insecure", `${reg.host}/demo:latest`]);
    expect(insecure.code).toBe(0);
    expect(trusted.stdout).toBe(insecure.stdout);
    expect(trusted.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
  });

  it("a full scan over TLS gives the local layout's findings, plus the :latest tag it was pulled by", async () => {
    const remote = await runCli(["scan", "--format", "json", `${reg.host}/demo:latest`], { env: { NODE_EXTRA_CA_CERTS: ca } });
    const local = await runCli(["scan", "--format", "json", "oci:fixtures/out/demo.oci"]);
    expect(remote.code).toBe(local.code);
    const ids = (out: string) => (JSON.parse(out) as { findings: { ruleId: string; path?: string }[] }).findings.map((f) => `${f.ruleId} ${f.path ?? ""}`).sort();
    expect(ids(remote.stdout)).toEqual([...ids(local.stdout), "latest-tag "].sort());
  });
});
