import { describe, expect, it } from "vitest";
import { isLayerlintError } from "../errors.js";
import { isEmptyPolicy, mergePolicies, parsePolicy, validatePolicy } from "./load.js";

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(isLayerlintError(e) && e.code).toBe("POLICY_INVALID");
    return (e as Error).message;
  }
  throw new Error("expected an error");
}

const ISSUE_EXAMPLE = `# .layerlint.yaml
size:
  maxCompressed: 200MB        # MB = 10^6, MiB = 2^20
  maxUncompressed: 600MiB
  maxLayers: 20
  maxLayerSize: 150MB
  maxWasted: 20MB
  minEfficiency: 0.9
tools:
  forbid: [shell, package-manager, interpreter, download-tool, network-tool, setuid, capability]
  allow: [python3, /usr/bin/python3.11]
user:
  requireNonRoot: true
provenance:
  requireDigest: true
  forbidLatest: true
  allowedRegistries: [registry.company.com, "ghcr.io/acme/*"]
findings:
  failOn: high
ignore:
  - ruleId: secret-private-key
    path: /etc/ssl/private/*
    reason: test key shipped on purpose
    expires: 2027-06-30
`;

describe("parsePolicy", () => {
  it("reads the issue's example", () => {
    const p = parsePolicy(ISSUE_EXAMPLE, ".layerlint.yaml");
    expect(p.size).toEqual({
      maxCompressed: 200_000_000,
      maxUncompressed: 600 * 2 ** 20,
      maxLayers: 20,
      maxLayerSize: 150_000_000,
      maxWasted: 20_000_000,
      minEfficiency: 0.9,
    });
    expect(p.tools?.forbid).toHaveLength(7);
    expect(p.ignore?.[0]).toEqual({ ruleId: "secret-private-key", path: "/etc/ssl/private/*", reason: "test key shipped on purpose", expires: "2027-06-30" });
  });

  it("reads JSON", () => {
    expect(parsePolicy('{"size": {"maxLayers": 3}}', "p.json")).toEqual({ size: { maxLayers: 3 } });
    expect(parsePolicy("", "empty.yaml")).toEqual({});
  });

  it("names the key path and the reason", () => {
    expect(errorOf(() => parsePolicy("size:\n  maxCompressed: 200 megs\n", "x.yaml"))).toBe(
      'policy: size.maxCompressed: expected a size like "200MB" or "1.5GiB" (in x.yaml)',
    );
    expect(errorOf(() => parsePolicy("size:\n  maxCompresed: 200MB\n"))).toBe('policy: size: unknown key "maxCompresed"');
    expect(errorOf(() => parsePolicy("tools:\n  forbid: [shell, shells]\n"))).toMatch(/^policy: tools\.forbid\[1\]: expected one of shell, /);
    expect(errorOf(() => parsePolicy("ignore:\n  - ruleId: x\n"))).toBe("policy: ignore[0].reason: required");
    expect(errorOf(() => parsePolicy("ignore:\n  - reason: why\n"))).toBe("policy: ignore[0]: an ignore needs ruleId, path or both");
    expect(errorOf(() => parsePolicy("ignore:\n  - {ruleId: x, reason: y, expires: next week}\n"))).toMatch(/^policy: ignore\[0\]\.expires: expected a date/);
    expect(errorOf(() => parsePolicy("size:\n  minEfficiency: 90\n"))).toBe("policy: size.minEfficiency: expected a number between 0 and 1");
    expect(errorOf(() => parsePolicy("findings:\n  failOn: severe\n"))).toMatch(/^policy: findings\.failOn: expected one of info, low/);
    expect(errorOf(() => parsePolicy("size: [1\n", "bad.yaml"))).toMatch(/^policy: invalid YAML/);
    expect(errorOf(() => parsePolicy("{", "bad.json"))).toMatch(/^policy: invalid JSON/);
    expect(errorOf(() => parsePolicy("- 1\n"))).toMatch(/^policy: expected a mapping/);
    expect(errorOf(() => parsePolicy("provenance:\n  allowedRegistries: [https://ghcr.io]\n"))).toMatch(/without a scheme/);
  });

  it("lets flags override the file, rule by rule", () => {
    const file = validatePolicy({ size: { maxCompressed: "200MB", maxLayers: 5 }, tools: { forbid: ["shell"], allow: ["sh"] } });
    const flags = validatePolicy({ size: { maxCompressed: "1GB" }, tools: { allow: ["/bin/sh"] } });
    expect(mergePolicies(file, flags)).toEqual({
      size: { maxCompressed: 1e9, maxLayers: 5 },
      tools: { forbid: ["shell"], allow: ["/bin/sh"] },
    });
    expect(isEmptyPolicy(validatePolicy({}))).toBe(true);
    expect(isEmptyPolicy(file)).toBe(false);
  });
});
