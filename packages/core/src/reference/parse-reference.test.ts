import { describe, expect, it } from "vitest";
import { LayerlintError } from "../errors.js";
import { isDomain, isPathComponent, isTag } from "./grammar.js";
import { isNamedReference, parseAnyReference, parseDockerRef, parseReference } from "./parse-reference.js";

const HEX64 = "e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582";
const SHA256 = `sha256:${HEX64}`;
const SHA512 = `sha512:${HEX64}${HEX64}`;

function rejects(input: string): string {
  try {
    parseReference(input);
  } catch (e) {
    expect(e).toBeInstanceOf(LayerlintError);
    expect((e as LayerlintError).code).toBe("INVALID_REFERENCE");
    return (e as LayerlintError).message;
  }
  throw new Error(`accepted ${input}`);
}

describe("parseReference (docker's normalisation)", () => {
  it("normalises Docker Hub names and contacts registry-1.docker.io", () => {
    const r = parseReference("nginx:1.25");
    expect([r.registry, r.repository, r.tag, r.digest]).toEqual(["docker.io", "library/nginx", "1.25", undefined]);
    expect(r.host).toBe("registry-1.docker.io");
    expect(r.name).toBe("docker.io/library/nginx");
    expect(r.toString()).toBe("docker.io/library/nginx:1.25");
    expect(parseReference("index.docker.io/nginx").toString()).toBe("docker.io/library/nginx");
  });

  it.each<[string, string, string, string]>([
    ["localhost/app", "localhost", "app", "localhost"],
    ["localhost:5000/team/app", "localhost:5000", "team/app", "localhost:5000"],
    ["ghcr.io/org/app", "ghcr.io", "org/app", "ghcr.io"],
    ["[::1]:5000/x", "[::1]:5000", "x", "[::1]:5000"],
    ["[2001:db8::1]/repo", "[2001:db8::1]", "repo", "[2001:db8::1]"],
    ["Registry/app", "Registry", "app", "Registry"],
    ["quay.io/docker.io", "quay.io", "docker.io", "quay.io"],
  ])("%s → registry %s, repository %s, host %s", (input, registry, repository, host) => {
    const r = parseReference(input);
    expect([r.registry, r.repository, r.host]).toEqual([registry, repository, host]);
  });

  it("treats bare host:port without a path as repo:tag", () => {
    const r = parseReference("localhost:5000");
    expect([r.registry, r.repository, r.tag]).toEqual(["docker.io", "library/localhost", "5000"]);
  });

  it("keeps tag and digest together; parseDockerRef drops the tag", () => {
    const r = parseReference(`ubuntu:22.04@${SHA256}`);
    expect([r.tag, r.digest]).toEqual(["22.04", SHA256]);
    expect(r.toString()).toBe(`docker.io/library/ubuntu:22.04@${SHA256}`);
    const d = parseDockerRef(`ubuntu:22.04@${SHA256}`);
    expect([d.tag, d.digest]).toEqual([undefined, SHA256]);
    expect(parseDockerRef("ubuntu").tag).toBe("latest");
  });

  it("pinned() gives NAME@digest without the tag and validates the digest", () => {
    const r = parseReference("ghcr.io/org/app:v1");
    expect(r.pinned(SHA256)).toBe(`ghcr.io/org/app@${SHA256}`);
    expect(r.pinned(SHA512)).toBe(`ghcr.io/org/app@${SHA512}`);
    expect(() => r.pinned("sha256:abc")).toThrow(LayerlintError);
  });

  it("accepts sha256 and sha512, rejects other algorithms as unsupported", () => {
    expect(parseReference(`nginx@${SHA512}`).digest).toBe(SHA512);
    expect(rejects(`nginx@blake3:${HEX64}`)).toMatch(/unsupported digest algorithm "blake3"$/);
    expect(rejects(`nginx@md5:${HEX64.slice(0, 32)}`)).toMatch(/unsupported digest algorithm "md5"$/);
    expect(rejects(`nginx@sha256:${HEX64.slice(1)}`)).toMatch(/invalid sha256 digest length 63/);
    expect(rejects(`nginx@sha512:${HEX64}`)).toMatch(/invalid sha512 digest length 64/);
    expect(rejects(`nginx@sha256:${HEX64.toUpperCase()}`)).toMatch(/lowercase hex$/);
    expect(rejects("nginx@sha256:xyz")).toMatch(/invalid digest "sha256:xyz"$/);
  });

  it("limits tags to 128 characters and paths (not domains) to 255", () => {
    expect(parseReference(`x:${"t".repeat(128)}`).tag).toHaveLength(128);
    expect(rejects(`x:${"t".repeat(129)}`)).toMatch(/tag must not be more than 128 characters$/);
    expect(parseReference(`example.com/${"a".repeat(255)}`).repository).toHaveLength(255);
    expect(rejects(`example.com/${"a".repeat(256)}`)).toMatch(/must not be more than 255 characters$/);
    // Hub names get "library/", which counts towards the limit (as in Go).
    expect(rejects("a".repeat(250))).toMatch(/255 characters$/);
  });

  it("rejects a 64-hex name but accepts it with an explicit domain", () => {
    expect(rejects(HEX64)).toBe(`invalid reference "${HEX64}": cannot specify 64-byte hexadecimal strings`);
    expect(parseReference(`docker.io/${HEX64}`).repository).toBe(`library/${HEX64}`);
  });

  it.each<[string, RegExp]>([
    ["", /empty reference$/],
    ["Nginx", /must be lowercase/],
    ["docker.io/Org/app", /must be lowercase/],
    ["foo_bar.com/x", /invalid registry host "foo_bar.com"$/],
    ["[::1]:5000", /needs a repository path/],
    ["[fe80::1%eth0]:5000/x", /invalid registry host/],
    ["nginx:", /invalid tag ""$/],
    ["nginx@", /invalid digest ""$/],
    ["a b", /invalid path component "a b"$/],
    ["oci://ghcr.io/x", /invalid registry host "oci:"$/],
  ])("rejects %j with a reason", (input, reason) => {
    const msg = rejects(input);
    expect(msg.startsWith(`invalid reference ${JSON.stringify(input)}: `)).toBe(true);
    expect(msg).toMatch(reason);
    expect(msg).not.toContain("\n");
  });
});

describe("parseAnyReference", () => {
  it("returns digest references for bare digests and 64-hex", () => {
    const a = parseAnyReference(HEX64);
    expect(isNamedReference(a)).toBe(false);
    expect(a.toString()).toBe(SHA256);
    expect(parseAnyReference(SHA512).toString()).toBe(SHA512);
    const n = parseAnyReference("redis");
    expect(isNamedReference(n) && n.repository).toBe("library/redis");
  });
});

describe("grammar helpers", () => {
  it.each(["a", "a.b", "a_b", "a__b", "a---b", "a1.b2_c3"])("path component %j", (s) => {
    expect(isPathComponent(s)).toBe(true);
  });
  it.each(["", "A", "a___b", "a..b", "_a", "a-", "a._b", "a/b"])("not a path component %j", (s) => {
    expect(isPathComponent(s)).toBe(false);
  });
  it("domains and tags", () => {
    expect(isDomain("[::1]:5000")).toBe(true);
    expect(isDomain("[]")).toBe(false);
    expect(isDomain("host:")).toBe(false);
    expect(isTag("_x.Y-1")).toBe(true);
    expect(isTag(".x")).toBe(false);
  });

  it("stays linear on adversarial input (no catastrophic backtracking)", () => {
    const inputs = [
      `${"a-".repeat(200_000)}!`,
      `${"a.".repeat(200_000)}`,
      `${"a/".repeat(100_000)}A`,
      `x.io/${"a__".repeat(100_000)}:${"t".repeat(100_000)}@sha256:${"f".repeat(100_000)}`,
      `[${":".repeat(200_000)}/x`,
    ];
    const start = performance.now();
    for (const s of inputs) expect(() => parseReference(s)).toThrow(LayerlintError);
    expect(performance.now() - start).toBeLessThan(2_000);
  });
});
