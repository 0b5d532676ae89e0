import { describe, expect, it } from "vitest";
import { LayerlintError } from "./errors.js";
import {
  formatPlatform,
  isAttestationDescriptor,
  normalizePlatform,
  parsePlatform,
  platformMatches,
  selectManifest,
} from "./platform.js";
import type { Descriptor, Platform } from "./types.js";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

function desc(platform: string | undefined, extra: Partial<Descriptor> = {}): Descriptor {
  const d: Descriptor = { mediaType: OCI_MANIFEST, digest: `sha256:${platform ?? "none"}`, size: 1, ...extra };
  if (platform) d.platform = parsePlatform(platform);
  return d;
}

function attestation(forDigest: string): Descriptor {
  return {
    mediaType: OCI_MANIFEST,
    digest: `sha256:att-${forDigest}`,
    size: 1,
    platform: { os: "unknown", architecture: "unknown" },
    annotations: { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": forDigest },
  };
}

function catchError(fn: () => unknown): LayerlintError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LayerlintError);
    return e as LayerlintError;
  }
  throw new Error("expected an error");
}

describe("parsePlatform / formatPlatform", () => {
  it.each([
    ["linux/amd64", { os: "linux", architecture: "amd64" }],
    ["linux/arm64/v8", { os: "linux", architecture: "arm64", variant: "v8" }],
    ["linux/arm", { os: "linux", architecture: "arm" }],
    ["windows/amd64", { os: "windows", architecture: "amd64" }],
  ])("parses %s as written (containerd's parse quirk)", (input, expected) => {
    expect(parsePlatform(input)).toEqual(expected);
    expect(formatPlatform(parsePlatform(input))).toBe(input);
  });

  it.each([
    ["arm64", "linux/arm64"],
    ["amd64", "linux/amd64"],
    ["arm64/v8", "linux/arm64/v8"],
    ["arm/v7", "linux/arm/v7"],
    ["aarch64", "linux/aarch64"],
    ["ARM64", "linux/ARM64"],
  ])("reads the architecture alone, %s, as %s, as docker --platform does", (input, expected) => {
    expect(formatPlatform(parsePlatform(input))).toBe(expected);
  });

  it.each(["", "linux", "linux/", "/amd64", "arm64/", "amd64/", "x86", "arm64 ", "linux/amd64/", "linux/arm/v7/x", "linux//v7", "linux/am d64"])(
    "rejects %j",
    (input) => {
      const e = catchError(() => parsePlatform(input));
      expect(e.code).toBe("INVALID_PLATFORM");
      expect(e.message).toBe(`invalid platform ${JSON.stringify(input)}: expected os/arch[/variant]`);
    },
  );
});

describe("normalizePlatform (containerd database.go)", () => {
  it.each<[string, string]>([
    ["linux/x86_64", "linux/amd64"],
    ["linux/x86-64", "linux/amd64"],
    ["linux/x86_64/v1", "linux/amd64"],
    ["linux/amd64/v1", "linux/amd64"],
    ["linux/amd64/v3", "linux/amd64/v3"],
    ["linux/aarch64", "linux/arm64"],
    ["linux/aarch64/v8", "linux/arm64"],
    ["linux/arm64/8", "linux/arm64"],
    ["linux/arm64/v8", "linux/arm64"],
    ["linux/arm64/v8.0", "linux/arm64"],
    ["linux/arm64/9", "linux/arm64/v9"],
    ["linux/arm64/9.0", "linux/arm64/v9"],
    ["linux/arm64/v8.2", "linux/arm64/v8.2"],
    ["linux/armhf", "linux/arm/v7"],
    ["linux/armel", "linux/arm/v6"],
    ["linux/arm", "linux/arm/v7"],
    ["linux/arm/7", "linux/arm/v7"],
    ["linux/arm/5", "linux/arm/v5"],
    ["linux/arm/6", "linux/arm/v6"],
    ["linux/arm/8", "linux/arm/v8"],
    ["linux/arm/v6", "linux/arm/v6"],
    ["linux/i386", "linux/386"],
    ["macos/arm64", "darwin/arm64"],
    ["Linux/AMD64", "linux/amd64"],
    ["linux/s390x", "linux/s390x"],
  ])("%s → %s", (input, expected) => {
    expect(formatPlatform(normalizePlatform(parsePlatform(input)))).toBe(expected);
  });

  it("keeps os.version and drops an empty variant key", () => {
    const p: Platform = { os: "windows", architecture: "amd64", "os.version": "10.0.17763.1" };
    expect(normalizePlatform(p)).toEqual(p);
    expect("variant" in normalizePlatform({ os: "linux", architecture: "arm64", variant: "v8" })).toBe(false);
  });
});

describe("platformMatches", () => {
  it.each<[string, string, boolean]>([
    ["linux/arm64", "linux/arm64/v8", true],
    ["linux/arm64/v8", "linux/aarch64", true],
    ["linux/arm", "linux/arm/v7", true],
    ["linux/arm/v7", "linux/armhf", true],
    ["linux/amd64", "linux/x86_64", true],
    ["linux/arm/v7", "linux/arm/v6", false],
    ["linux/arm64", "linux/arm/v8", false],
    ["linux/amd64", "linux/386", false],
    ["linux/amd64", "windows/amd64", false],
    ["linux/arm64/v9", "linux/arm64", false],
  ])("wanted %s, candidate %s → %s", (w, c, expected) => {
    expect(platformMatches(parsePlatform(w), parsePlatform(c))).toBe(expected);
  });
});

describe("isAttestationDescriptor", () => {
  it("recognises unknown/unknown and the BuildKit annotation", () => {
    expect(isAttestationDescriptor(attestation("sha256:x"))).toBe(true);
    expect(isAttestationDescriptor(desc("unknown/unknown"))).toBe(true);
    expect(
      isAttestationDescriptor(desc(undefined, { annotations: { "vnd.docker.reference.type": "attestation-manifest" } })),
    ).toBe(true);
    expect(isAttestationDescriptor(desc("linux/amd64"))).toBe(false);
    expect(isAttestationDescriptor(desc(undefined))).toBe(false);
  });
});

describe("selectManifest (containerd's platform matching)", () => {
  const amd = desc("linux/amd64");
  const arm = desc("linux/arm64/v8");
  const index = [amd, attestation(amd.digest), arm, attestation(arm.digest)];

  it("defaults to linux/amd64 when several images remain", () => {
    expect(selectManifest(index, undefined)).toBe(amd);
    expect(selectManifest([arm, amd], undefined)).toBe(amd);
  });

  it("uses the single image when attestations are skipped", () => {
    expect(selectManifest([arm, attestation(arm.digest)], undefined)).toBe(arm);
  });

  it("uses the single platform-less image, even with an explicit wanted", () => {
    const bare = desc(undefined, { mediaType: DOCKER_MANIFEST });
    expect(selectManifest([bare], undefined)).toBe(bare);
    expect(selectManifest([bare], parsePlatform("linux/arm64"))).toBe(bare);
  });

  it("selects an explicit platform with normalisation on both sides", () => {
    expect(selectManifest(index, parsePlatform("linux/arm64"))).toBe(arm);
    expect(selectManifest(index, parsePlatform("linux/aarch64"))).toBe(arm);
    expect(selectManifest(index, parsePlatform("linux/x86_64"))).toBe(amd);
  });

  it("accepts nested indexes as candidates", () => {
    const nested = desc("linux/riscv64", { mediaType: OCI_INDEX });
    expect(selectManifest([amd, nested], parsePlatform("linux/riscv64"))).toBe(nested);
  });

  it("ignores unknown media types without error", () => {
    const weird = desc("linux/arm64", { mediaType: "application/vnd.example.thing+json" });
    expect(selectManifest([weird, amd], undefined)).toBe(amd);
    const e = catchError(() => selectManifest([weird, amd], parsePlatform("linux/arm64")));
    expect(e.message).toBe("no image for platform linux/arm64; available: linux/amd64");
  });

  it("throws PLATFORM_NOT_FOUND listing formatted, deduped platforms", () => {
    const e = catchError(() => selectManifest([...index, desc("linux/amd64")], parsePlatform("linux/s390x")));
    expect(e.code).toBe("PLATFORM_NOT_FOUND");
    expect(e.message).toBe("no image for platform linux/s390x; available: linux/amd64, linux/arm64/v8");
  });

  it("throws when no default linux/amd64 exists among several images", () => {
    const e = catchError(() => selectManifest([arm, desc("linux/arm/v7")], undefined));
    expect(e.code).toBe("PLATFORM_NOT_FOUND");
    expect(e.message).toBe("no image for platform linux/amd64; available: linux/arm64/v8, linux/arm/v7");
  });

  it("throws on a single image of another platform when one is wanted", () => {
    const e = catchError(() => selectManifest([arm], parsePlatform("linux/amd64")));
    expect(e.message).toBe("no image for platform linux/amd64; available: linux/arm64/v8");
  });

  it("reports none when only attestations are present", () => {
    const e = catchError(() => selectManifest([attestation("sha256:x")], undefined));
    expect(e.message).toBe("no image for platform linux/amd64; available: none");
  });
});
