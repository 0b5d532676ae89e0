import { describe, expect, it } from "vitest";
import { fixturesOut, parseJsonLines, runCli } from "./helpers/cli.js";

const f = (name: string) => `${fixturesOut}/${name}`;

async function files(input: string, extra: string[] = []): Promise<string> {
  const r = await runCli(["files", input, "--format", "json", ...extra]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.stdout;
}

describe("local sources", () => {
  it("gives identical files output for oci:, oci-archive:, docker-archive: and Docker 25 archives", async () => {
    const oci = await files(`oci:${f("layers.oci")}`);
    expect(parseJsonLines(oci).length).toBeGreaterThan(10);
    expect(await files(`oci-archive:${f("layers.oci.tar")}`)).toBe(oci);
    expect(await files(`docker-archive:${f("layers.docker.tar")}`)).toBe(oci);
    expect(await files(`oci-archive:${f("layers.docker25.tar")}`)).toBe(oci);
    expect(await files(`docker-archive:${f("layers.docker25.tar")}`)).toBe(oci);
  });

  it("detects a bare path from its content", async () => {
    const oci = await files(`oci:${f("layers.oci")}`);
    expect(await files(f("layers.oci"))).toBe(oci);
    expect(await files(f("layers.oci.tar"))).toBe(oci);
    expect(await files(f("layers.docker.tar"))).toBe(oci);
  });

  it("reads a legacy archive whose repeated layer is a symlink", async () => {
    const fromDocker = await files(`docker-archive:${f("repeated.docker.tar")}`);
    expect(fromDocker).toBe(await files(`oci:${f("repeated.oci")}`));
    const info = await runCli(["info", f("repeated.docker.tar"), "--format", "json"]);
    expect(info.code).toBe(0);
    const layers = (JSON.parse(info.stdout) as { layers: { diffId: string }[] }).layers;
    expect(layers[2]!.diffId).toBe(layers[0]!.diffId);
  });

  it("reads gzip, zstd and plain layers by magic bytes, whatever the media type says", async () => {
    const mixed = await files(`oci:${f("mixed.oci")}`);
    expect(await files(`oci:${f("mislabeled.oci")}`)).toBe(mixed);
    expect(await files(`oci:${f("mixed-gzip.oci")}`)).toBe(mixed);
    const info = JSON.parse((await runCli(["info", `oci:${f("mixed.oci")}`, "--format", "json"])).stdout) as {
      layers: { compression: string }[];
    };
    expect(info.layers.map((l) => l.compression)).toEqual(["gzip", "zstd", "none"]);
  });

  it("picks an image by :REF and lists the images when none is given", async () => {
    const one = await runCli(["info", `oci:${f("multi-image.oci")}:app:1.0`, "--format", "json"]);
    const two = await runCli(["info", `oci:${f("multi-image.oci")}:app:2.0`, "--format", "json"]);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(JSON.parse(one.stdout).manifestDigest).not.toBe(JSON.parse(two.stdout).manifestDigest);
    const none = await runCli(["info", `oci:${f("multi-image.oci")}`]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: .*several images.*app:1\.0.*app:2\.0\n$/);
    const missing = await runCli(["info", `oci:${f("multi-image.oci")}:app:3.0`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: .*no image named "app:3\.0".*app:1\.0, app:2\.0\n$/);
  });

  it("resolves a multi-arch index by platform and skips attestations", async () => {
    const arch = async (platform?: string) => {
      const args = ["files", `oci:${f("multiarch.oci")}`, "--format", "json"];
      if (platform) args.push("--platform", platform);
      const r = await runCli(args);
      expect(r.stderr).toBe("");
      return r;
    };
    const info = async (platform: string) =>
      JSON.parse((await runCli(["info", `oci:${f("multiarch.oci")}`, "--format", "json", "--platform", platform])).stdout)
        .platform as string;
    expect((await arch()).code).toBe(0);
    expect(await info("linux/amd64")).toBe("linux/amd64");
    // arm64 "v8" in the index matches a plain linux/arm64 request (https://github.com/containerd/platforms/blob/main/platforms.go).
    expect(await info("linux/arm64")).toMatch(/^linux\/arm64/);
    expect(await info("linux/aarch64")).toMatch(/^linux\/arm64/);
    expect(await info("linux/arm/v7")).toBe("linux/arm/v7");
    const none = await runCli(["files", `oci:${f("multiarch.oci")}`, "--platform", "linux/s390x"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: no image for platform linux\/s390x; available: linux\/amd64, linux\/arm64.*, linux\/arm\/v7\n$/);
    expect(none.stderr).not.toMatch(/unknown/);
  });

  it("keeps setuid bits, big uids, long names and binary xattrs", async () => {
    const recs = parseJsonLines<{ path: string; mode: string; uid: number; gid: number }>(await files(`oci:${f("layers.oci")}`));
    expect(recs.some((r) => r.mode === "4755")).toBe(true);
    expect(recs.some((r) => r.mode === "2755")).toBe(true);
    expect(recs.some((r) => r.uid === 3000000 && r.gid === 3000001)).toBe(true);
    expect(recs.some((r) => r.path.length > 255)).toBe(true);
  });

  it("prints an ls-like text listing", async () => {
    const r = await runCli(["files", `oci:${f("layers.oci")}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^-rwsr-xr-x\s+0\/0\s+\d+\s+L\d+\s+\/\S+$/m);
    expect(r.stdout).toMatch(/^l[rwx-]{9}\s.* -> /m);
  });
});
