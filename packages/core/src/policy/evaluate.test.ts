import { describe, expect, it } from "vitest";
import type { Finding } from "../finding.js";
import type { Report } from "../report.js";
import { createBaseline } from "./baseline.js";
import { evaluatePolicy } from "./evaluate.js";
import { findingFingerprint } from "./fingerprint.js";
import { validatePolicy } from "./load.js";

function finding(over: Partial<Finding> & Pick<Finding, "ruleId" | "category">): Finding {
  return { severity: "medium", message: `${over.ruleId} ${over.path ?? ""}`, layer: 0, inFinalImage: true, ...over };
}

function report(
  over: { reference?: string | null; findings?: Finding[]; sizes?: Partial<Report["image"]["sizes"]>; layers?: number[]; analysis?: Report["analysis"] } = {},
): Report {
  const layers = (over.layers ?? [1000]).map((size, index) => ({
    index,
    digest: `sha256:${String(index).repeat(64).slice(0, 64)}`,
    diffId: `sha256:${"d".repeat(64)}`,
    mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
    compression: "gzip" as const,
    compressedSize: size,
    uncompressedSize: size * 2,
    entries: 1,
    files: 1,
    createdBy: `step ${index}`,
  }));
  const findings = over.findings ?? [];
  return {
    schemaVersion: 1,
    tool: { name: "layerlint", version: "0.1.0" },
    image: {
      input: over.reference ?? "oci:x",
      source: over.reference ? "registry" : "oci-layout",
      reference: over.reference ?? null,
      pinnedReference: null,
      manifestDigest: `sha256:${"a".repeat(64)}`,
      configDigest: `sha256:${"b".repeat(64)}`,
      platform: "linux/amd64",
      os: null,
      baseClass: { class: "unknown", reasons: [] },
      user: "",
      sizes: { compressed: 1000, uncompressed: 2000, wasted: 0, files: 1, ...over.sizes },
      layers,
    },
    summary: { total: findings.length, bySeverity: { info: 0, low: 0, medium: 0, high: 0, critical: 0 }, byCategory: {} },
    findings,
    ...(over.analysis ? { analysis: over.analysis } : {}),
  };
}

const check = (r: Report, policy: unknown, id: string, now?: Date) => {
  const g = evaluatePolicy(r, validatePolicy(policy), { now });
  const c = g.checks.find((x) => x.id === id);
  expect(c, `check ${id}`).toBeDefined();
  return c!;
};

describe("size checks", () => {
  it("compares in bytes, MB and MiB distinct", () => {
    const r = report({ sizes: { compressed: 150_000_000 } });
    expect(check(r, { size: { maxCompressed: "150MB" } }, "max-compressed").passed).toBe(true);
    const c = check(r, { size: { maxCompressed: "140MiB" } }, "max-compressed"); // 146,800,640 bytes
    expect(c).toMatchObject({ passed: false, actual: 150_000_000, limit: 146_800_640 });
    expect(c.message).toBe("compressed size 143.1 MiB exceeds 140 MiB by 3.05 MiB");
  });
  it("efficiency and wasted percent follow 1 - wasted/uncompressed", () => {
    const r = report({ sizes: { uncompressed: 1000, wasted: 150 } });
    expect(check(r, { size: { minEfficiency: 0.85 } }, "min-efficiency")).toMatchObject({ passed: true, actual: 0.85 });
    expect(check(r, { size: { minEfficiency: 0.9 } }, "min-efficiency").passed).toBe(false);
    expect(check(r, { size: { maxWastedPercent: 10 } }, "max-wasted-percent")).toMatchObject({ passed: false, actual: 15 });
    expect(check(report({ sizes: { uncompressed: 0, wasted: 0 } }), { size: { minEfficiency: 1 } }, "min-efficiency").passed).toBe(true);
  });
  it("names the layers over maxLayerSize", () => {
    const c = check(report({ layers: [10, 500, 20] }), { size: { maxLayerSize: "100B", maxLayers: 2 } }, "max-layer-size");
    expect(c).toMatchObject({ passed: false, actual: 500, limit: 100 });
    expect(c.message).toContain("#1 500 B (step 1)");
    expect(check(report({ layers: [10, 500, 20] }), { size: { maxLayers: 2 } }, "max-layers")).toMatchObject({ passed: false, actual: 3 });
  });
});

describe("tools", () => {
  const findings = [
    finding({ ruleId: "shell-present", category: "shell", path: "/usr/bin/bash", evidence: { tool: "bash" } }),
    finding({ ruleId: "shell-present", category: "shell", path: "/bin/sh", evidence: { tool: "sh", target: "dash" } }),
    finding({ ruleId: "interpreter-present", category: "interpreter", path: "/usr/bin/python3.11", evidence: { tool: "python", version: "3.11" } }),
    finding({ ruleId: "setgid-binary", category: "setgid", path: "/usr/bin/chage" }),
    finding({ ruleId: "shell-present", category: "shell", path: "/gone/sh", inFinalImage: false }),
  ];
  it("forbid names every path; setuid covers setgid", () => {
    const g = evaluatePolicy(report({ findings }), validatePolicy({ tools: { forbid: ["shell", "setuid", "capability"] } }));
    expect(g.checks.map((c) => [c.id, c.passed, c.actual])).toEqual([
      ["forbid-shell", false, 2],
      ["forbid-setuid", false, 1],
      ["forbid-capability", true, 0],
    ]);
    expect(g.checks[0]!.message).toBe("2 shells: /usr/bin/bash, /bin/sh");
  });
  it("allow takes tool names, file names and exact paths", () => {
    const p = (allow: string[]) => ({ tools: { forbid: ["shell", "interpreter"], allow } });
    expect(check(report({ findings }), p(["bash", "/bin/sh"]), "forbid-shell")).toMatchObject({ passed: true, message: "no shell in the final image (2 allowed)" });
    expect(check(report({ findings }), p(["python3"]), "forbid-interpreter").passed).toBe(false);
    expect(check(report({ findings }), p(["python"]), "forbid-interpreter").passed).toBe(true);
    expect(check(report({ findings }), p(["/usr/bin/python3.11"]), "forbid-interpreter").passed).toBe(true);
    expect(check(report({ findings }), p(["/usr/bin/python3"]), "forbid-interpreter").passed).toBe(false);
  });
});

describe("tools: one finding for every path of one binary or applet", () => {
  // /usr/bin/wget -> /bin/busybox and the applet itself: one finding (tools.ts), both paths in evidence.
  const wget = finding({
    ruleId: "download-tool-present",
    category: "download-tool",
    path: "/bin/busybox",
    evidence: { tool: "wget", applet: "wget", via: "busybox", paths: ["/bin/busybox", "/usr/bin/wget"] },
  });
  const dash = finding({ ruleId: "shell-present", category: "shell", path: "/usr/bin/dash", evidence: { tool: "dash", paths: ["/usr/bin/dash", "/usr/bin/sh"] } });
  const p = (forbid: string, allow: string[]) => ({ tools: { forbid: [forbid], allow } });
  it("forbid names every path of it, and counts paths as before", () => {
    expect(check(report({ findings: [wget] }), p("download-tool", []), "forbid-download-tool")).toMatchObject({
      passed: false,
      actual: 2,
      message: "2 download tools: /bin/busybox, /usr/bin/wget",
    });
  });
  it("allowing one path does not allow the others: `busybox wget` still runs", () => {
    expect(check(report({ findings: [wget] }), p("download-tool", ["/usr/bin/wget"]), "forbid-download-tool")).toMatchObject({
      passed: false,
      actual: 1,
      message: "1 download tool: /bin/busybox (1 allowed)",
    });
    expect(check(report({ findings: [wget] }), p("download-tool", ["busybox"]), "forbid-download-tool")).toMatchObject({
      passed: false,
      message: "1 download tool: /usr/bin/wget (1 allowed)",
    });
    expect(check(report({ findings: [wget] }), p("download-tool", ["/usr/bin/wget", "/bin/busybox"]), "forbid-download-tool").passed).toBe(true);
    expect(check(report({ findings: [wget] }), p("download-tool", ["wget"]), "forbid-download-tool").passed).toBe(true);
  });
  it("a link runs as its own name: allowing dash does not allow sh", () => {
    expect(check(report({ findings: [dash] }), p("shell", ["dash"]), "forbid-shell")).toMatchObject({ passed: false, message: "1 shell: /usr/bin/sh (1 allowed)" });
    expect(check(report({ findings: [dash] }), p("shell", ["sh"]), "forbid-shell")).toMatchObject({ passed: false, message: "1 shell: /usr/bin/dash (1 allowed)" });
    expect(check(report({ findings: [dash] }), p("shell", ["sh", "dash"]), "forbid-shell").passed).toBe(true);
  });
  it("an ignore's path glob must cover every path of it", () => {
    const ignore = (path: string) => ({ tools: { forbid: ["download-tool"] }, ignore: [{ path, reason: "r" }] });
    expect(check(report({ findings: [wget] }), ignore("/bin/*"), "forbid-download-tool").passed).toBe(false);
    expect(check(report({ findings: [wget] }), ignore("/usr/bin/*"), "forbid-download-tool").passed).toBe(false);
    expect(check(report({ findings: [wget] }), ignore("/{bin,usr/bin}/*"), "forbid-download-tool").passed).toBe(true);
  });
});

describe("ignores", () => {
  const findings = [
    finding({ ruleId: "secret-private-key", category: "secret", severity: "high", path: "/etc/ssl/private/test.key" }),
    finding({ ruleId: "secret-private-key", category: "secret", severity: "high", path: "/app/key.pem" }),
  ];
  const ignore = (expires?: string) => ({
    findings: { failOn: "high" },
    ignore: [{ ruleId: "secret-private-key", path: "/etc/ssl/private/*", reason: "test key", ...(expires ? { expires } : {}) }],
  });
  it("suppresses by rule and path glob, through the expiry day", () => {
    const g = evaluatePolicy(report({ findings }), validatePolicy(ignore("2027-06-30")), { now: new Date("2027-06-30T23:00:00Z") });
    expect(g.checks[0]).toMatchObject({ id: "fail-on", passed: false, actual: 1 });
    expect(g.findings.map((f) => f.suppressed?.reason)).toEqual(["test key", undefined]);
    expect(g.ignores).toEqual([{ ruleId: "secret-private-key", path: "/etc/ssl/private/*", reason: "test key", expires: "2027-06-30", status: "active", matched: 1 }]);
  });
  it("an expired ignore stops applying and says so", () => {
    const g = evaluatePolicy(report({ findings }), validatePolicy(ignore("2027-06-30")), { now: new Date("2027-07-01T00:00:00Z") });
    expect(g.checks[0]).toMatchObject({ passed: false, actual: 2 });
    expect(g.ignores[0]).toMatchObject({ status: "expired", matched: 0 });
    expect(g.findings.every((f) => f.suppressed === undefined)).toBe(true);
  });
});

describe("user", () => {
  it("requireNonRoot fails on a root-user finding", () => {
    const root = finding({ ruleId: "root-user", category: "user", severity: "high", layer: null, message: "runs as root: no USER" });
    expect(check(report({ findings: [root] }), { user: { requireNonRoot: true } }, "require-non-root")).toMatchObject({ passed: false, actual: "root (no USER)" });
    expect(check(report(), { user: { requireNonRoot: true } }, "require-non-root").passed).toBe(true);
  });
});

describe("provenance", () => {
  const digest = `sha256:${"e".repeat(64)}`;
  it("requireDigest", () => {
    expect(check(report({ reference: "docker.io/library/nginx:1.25" }), { provenance: { requireDigest: true } }, "require-digest").passed).toBe(false);
    expect(check(report({ reference: `docker.io/library/nginx:1.25@${digest}` }), { provenance: { requireDigest: true } }, "require-digest").passed).toBe(true);
    const local = check(report(), { provenance: { requireDigest: true } }, "require-digest");
    expect(local.passed).toBe(true);
    expect(local.message).toMatch(/^local input \(oci-layout\): addressed by content/);
  });
  it("forbidLatest: explicit or implied latest, unless a digest pins it", () => {
    const p = { provenance: { forbidLatest: true } };
    expect(check(report({ reference: "docker.io/library/nginx:latest" }), p, "forbid-latest").passed).toBe(false);
    expect(check(report({ reference: "docker.io/library/nginx" }), p, "forbid-latest").passed).toBe(false);
    expect(check(report({ reference: "docker.io/library/nginx:1.25" }), p, "forbid-latest").passed).toBe(true);
    expect(check(report({ reference: `docker.io/library/nginx:latest@${digest}` }), p, "forbid-latest").passed).toBe(true);
    expect(check(report(), p, "forbid-latest").passed).toBe(true);
  });
  it("allowedRegistries: hosts and host/path globs", () => {
    const p = { provenance: { allowedRegistries: ["registry.company.com", "ghcr.io/acme/*", "docker.io/library/*"] } };
    const ok = (ref: string) => check(report({ reference: ref }), p, "allowed-registries").passed;
    expect(ok("registry.company.com/team/app:1")).toBe(true);
    expect(ok("ghcr.io/acme/app:1")).toBe(true);
    expect(ok("ghcr.io/acme/team/app:1")).toBe(false);
    expect(ok("ghcr.io/evil/app:1")).toBe(false);
    expect(ok("registry.company.com.evil.io/app:1")).toBe(false);
    expect(ok("docker.io/library/nginx:1")).toBe(true);
    expect(ok("docker.io/someone/nginx:1")).toBe(false);
    const local = check(report(), p, "allowed-registries");
    expect(local.passed).toBe(false);
    expect(local.message).toContain("has no registry");
  });
});

describe("baseline", () => {
  const a = finding({ ruleId: "secret-github-token", category: "secret", severity: "critical", path: "/app/a.env", layer: 3, evidence: { prefix: "ghp_ab", layer: 3 } });
  const b = finding({ ruleId: "secret-github-token", category: "secret", severity: "critical", path: "/app/new.env", layer: 5, evidence: { prefix: "ghp_cd" } });
  it("fingerprints ignore layer positions and wording", () => {
    expect(findingFingerprint({ ...a, layer: 7, message: "other words", evidence: { prefix: "ghp_ab", layer: 7 } })).toBe(findingFingerprint(a));
    expect(findingFingerprint({ ...a, path: "/app/b.env" })).not.toBe(findingFingerprint(a));
  });
  it("fails only on new findings", () => {
    const baseline = createBaseline(report({ findings: [a] }));
    const same = evaluatePolicy(report({ findings: [a] }), {}, { baseline });
    expect(same.passed).toBe(true);
    expect(same.checks.map((c) => c.id)).toEqual(["new-findings"]);
    const more = evaluatePolicy(report({ findings: [a, b] }), {}, { baseline });
    expect(more.passed).toBe(false);
    expect(more.findings.map((f) => f.baselineState)).toEqual(["unchanged", "new"]);
    expect(more.checks[0]!.message).toBe("1 new finding: secret-github-token /app/new.env");
    // A second copy of a known finding is new.
    expect(compareTwice(baseline)).toEqual(["unchanged", "new"]);
  });
  function compareTwice(baseline: ReturnType<typeof createBaseline>) {
    return evaluatePolicy(report({ findings: [a, a] }), {}, { baseline }).findings.map((f) => f.baselineState);
  }
});

describe("fail closed: gaps fail the checks they affect", () => {
  const undetermined = finding({ ruleId: "user-undetermined", category: "user", severity: "high", path: undefined, message: "passwd not captured" });
  const analysis = { complete: false, gaps: [{ ruleId: "user-undetermined", message: "passwd not captured", affects: ["require-non-root"] }] };

  it("require-non-root fails on a user-undetermined gap, saying why", () => {
    const r = report({ findings: [undetermined], analysis });
    const c = check(r, { user: { requireNonRoot: true } }, "require-non-root");
    expect(c.passed).toBe(false);
    expect(c.message).toContain("could not decide (user-undetermined): passwd not captured");
    expect(check(report({ findings: [] }), { user: { requireNonRoot: true } }, "require-non-root").passed).toBe(true);
  });

  it("only the affected checks fail", () => {
    const tools = { complete: false, gaps: [{ ruleId: "tools-undetermined", message: "busybox not read", affects: ["forbid-shell", "forbid-download-tool"] }] };
    const r = report({ findings: [finding({ ruleId: "tools-undetermined", category: "analysis" })], analysis: tools });
    const policy = { tools: { forbid: ["shell", "download-tool", "interpreter"] } };
    expect(check(r, policy, "forbid-shell").passed).toBe(false);
    expect(check(r, policy, "forbid-download-tool").passed).toBe(false);
    expect(check(r, policy, "forbid-interpreter").passed).toBe(true);
  });

  it("an ignored gap finding no longer fails the check", () => {
    const r = report({ findings: [undetermined], analysis });
    const policy = { user: { requireNonRoot: true }, ignore: [{ ruleId: "user-undetermined", reason: "passwd is a generated link" }] };
    expect(check(r, policy, "require-non-root").passed).toBe(true);
  });
});

describe("aggregated findings count in full", () => {
  const agg = (category: Finding["category"], ruleId: string, count: number, inFinal: number, bySeverity: Partial<Record<string, number>>): Finding => ({
    ruleId,
    category,
    severity: "high",
    message: `${count} more`,
    layer: null,
    inFinalImage: inFinal > 0,
    aggregate: { count, inFinalImage: inFinal, bySeverity, samplePaths: ["/x"] },
  });

  it("forbid counts the aggregate's final-image findings, allowed or not", () => {
    const r = report({ findings: [finding({ ruleId: "setuid-binary", category: "setuid", path: "/usr/bin/su" }), agg("setuid", "setuid-binary", 1000, 600, { high: 1000 })] });
    const c = check(r, { tools: { forbid: ["setuid"], allow: ["/usr/bin/su"] } }, "forbid-setuid");
    expect(c).toMatchObject({ passed: false, actual: 600 });
    expect(c.message).toContain("600 more past the report limit");
  });

  it("fail-on counts the aggregate's findings at or above the threshold", () => {
    const r = report({ findings: [finding({ ruleId: "a", category: "permissions", severity: "high" }), agg("permissions", "a", 500, 0, { high: 300, low: 200 })] });
    expect(check(r, { findings: { failOn: "high" } }, "fail-on")).toMatchObject({ passed: false, actual: 301 });
    expect(check(r, { findings: { failOn: "low" } }, "fail-on")).toMatchObject({ passed: false, actual: 501 });
    expect(check(r, { findings: { failOn: "critical" } }, "fail-on")).toMatchObject({ passed: true, actual: 0 });
  });
});
