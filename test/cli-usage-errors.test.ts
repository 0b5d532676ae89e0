// Usage mistakes through the built CLI: one line on stderr, exit 2, and the
// same case rules for every format flag.
import { describe, expect, it } from "vitest";
import { fixturesOut, runCli } from "./helpers/cli.js";

const demo = `oci:${fixturesOut}/demo.oci`;

describe("usage errors are one line with exit 2", () => {
  it("a mistyped command keeps commander's suggestion on the same line", async () => {
    const r = await runCli(["scna", demo]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: unknown command 'scna' (Did you mean scan?)\n");
  });

  it("--write-baseline - is refused before the scan: a baseline is a file later runs read", async () => {
    const r = await runCli(["scan", "--write-baseline", "-", demo]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("error: --write-baseline -: a baseline is read back by later runs; name a file\n");
  });
});

describe("digest reads its input as scan does", () => {
  it("names a mistyped transport and a missing file instead of asking a registry", async () => {
    const typo = await runCli(["digest", "oci-arhive:x.tar"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^error: .*unknown transport "oci-arhive:" \(did you mean oci-archive:\?\)/);
    const missing = await runCli(["digest", "./missing.tar"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("error: ./missing.tar: no such file or directory (expected oci:DIR, oci-archive:FILE, docker-archive:FILE or a path)\n");
  });
});

describe("format names in any case", () => {
  it("rules -f JSON and --report SARIF=- read as their lower-case forms", async () => {
    const rules = await runCli(["rules", "-f", "JSON"]);
    expect(rules.code).toBe(0);
    expect((JSON.parse(rules.stdout) as { rules: unknown[] }).rules.length).toBeGreaterThan(10);
    const sarif = await runCli(["scan", "-o", "/dev/null", "--report", "SARIF=-", demo]);
    expect(sarif.code).toBe(0);
    expect((JSON.parse(sarif.stdout) as { version: string }).version).toBe("2.1.0");
  });

  it("rules refuses a format it cannot write, in one line", async () => {
    const r = await runCli(["rules", "-f", "sarif"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: -f: rules cannot write sarif; expected text, json, got "sarif"\n');
  });
});
