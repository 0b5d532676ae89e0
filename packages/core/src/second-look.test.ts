import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { dir, file, hardlink, packTar, symlink, type TarEntry } from "../../../fixtures/lib/tar-pack.js";
import type { Descriptor, ImageConfig, ImageManifest, ImageSource } from "./types.js";
import { loadImage, type LoadedImage } from "./load-image.js";
import { planSecondLook, secondLook } from "./second-look.js";
import { passwdWants } from "./analyzers/passwd.js";
import { LayerlintError } from "./errors.js";

const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

/** An image held in memory; counts the blob reads per layer, and can serve other bytes on later reads. */
class MemorySource implements ImageSource {
  readonly kind = "oci-layout" as const;
  readonly description = "memory";
  readonly reads = new Map<string, number>();
  /** Layer digest → bytes served from the second read on. */
  readonly laterBytes = new Map<string, Buffer>();
  private readonly blobs = new Map<string, Buffer>();
  private readonly m: ImageManifest;
  private readonly c: ImageConfig;

  constructor(tars: Buffer[]) {
    const layers: Descriptor[] = tars.map((t) => {
      const gz = gzipSync(t);
      const d = { mediaType: GZIP, digest: sha(gz), size: gz.length };
      this.blobs.set(d.digest, gz);
      return d;
    });
    this.c = {
      digest: sha(Buffer.from("config")),
      architecture: "amd64",
      os: "linux",
      config: {},
      rootfs: { type: "layers", diff_ids: tars.map(sha) },
      history: [],
    };
    this.m = { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: sha(Buffer.from("m")), config: { mediaType: "c", digest: this.c.digest, size: 6 }, layers };
  }

  async manifest() {
    return this.m;
  }
  async config() {
    return this.c;
  }
  async openBlob(d: Descriptor): Promise<Readable> {
    const n = (this.reads.get(d.digest) ?? 0) + 1;
    this.reads.set(d.digest, n);
    return Readable.from([n > 1 ? (this.laterBytes.get(d.digest) ?? this.blobs.get(d.digest)!) : this.blobs.get(d.digest)!]);
  }
  async close() {}
  readsOf(layer: number): number {
    return this.reads.get(this.m.layers[layer]!.digest) ?? 0;
  }
}

const PW = "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n";

async function load(layers: TarEntry[][]): Promise<{ source: MemorySource; image: LoadedImage }> {
  const source = new MemorySource(await Promise.all(layers.map(packTar)));
  const image = await loadImage(source, { wantsContent: (e) => passwdWants(e), layerWorkers: "never" });
  return { source, image };
}

const text = (image: LoadedImage, path: string): string | undefined => {
  const e = image.fs.files.resolve(path)!;
  const o = image.fs.files.origin(e);
  const b = image.layerIndexes[o.layer]!.contents.get(o);
  return b === undefined ? undefined : Buffer.from(b).toString();
};

describe("second look", () => {
  it("reads the layer that carries a symlinked /etc/passwd once more and captures exactly that file", async () => {
    const { source, image } = await load([
      [dir("app"), file("app/pw", PW), file("app/other", "x".repeat(5000))],
      [dir("etc"), symlink("etc/passwd", "/app/pw")],
    ]);
    expect(text(image, "/etc/passwd")).toBeUndefined();
    const r = await secondLook(image, [image.fs.files.resolve("/etc/passwd")!]);
    expect(r).toEqual({ layers: [0], files: 1, bytes: PW.length, skipped: [] });
    expect(text(image, "/etc/passwd")).toBe(PW);
    expect([source.readsOf(0), source.readsOf(1)]).toEqual([2, 1]);
    // Nothing else was captured on the way.
    expect(image.layerIndexes[0]!.contents.size).toBe(1);
  });

  it("a hardlink's bytes are read under the entry that carried them", async () => {
    const { image } = await load([[dir("app"), file("app/pw", PW), dir("etc"), hardlink("etc/passwd", "app/pw", 0o644)]]);
    const final = image.fs.files.get("/etc/passwd")!;
    expect(image.fs.files.origin(final).path).toBe("/app/pw");
    await secondLook(image, [final]);
    expect(text(image, "/etc/passwd")).toBe(PW);
  });

  it("names the entry by its position: of two copies of one path in a layer, the one the merge kept", async () => {
    const { image } = await load([[dir("app"), file("app/pw", "old:x:5:5::/:/bin/sh\n"), file("app/pw", PW), dir("etc"), symlink("etc/passwd", "/app/pw")]]);
    await secondLook(image, [image.fs.files.resolve("/etc/passwd")!]);
    expect(text(image, "/etc/passwd")).toBe(PW);
    expect(image.layerIndexes[0]!.contents.size).toBe(1);
  });

  it("completes a passwd cut at its capture cap", async () => {
    const big = `${"p:x:1:1::/:/bin/sh\n".repeat(60_000)}app:x:0:0::/:/bin/sh\n`;
    const { image } = await load([[dir("etc"), file("etc/passwd", big)]]);
    expect(text(image, "/etc/passwd")!.length).toBe(1024 * 1024);
    await secondLook(image, [image.fs.files.get("/etc/passwd")!]);
    expect(text(image, "/etc/passwd")).toBe(big);
  });

  it("reads nothing for a file already whole, and skips one past the limit", async () => {
    const { source, image } = await load([[dir("etc"), file("etc/passwd", PW), dir("app"), file("app/pw", PW), symlink("etc/group", "/app/pw")]]);
    expect(await secondLook(image, [image.fs.files.get("/etc/passwd")!])).toEqual({ layers: [], files: 0, bytes: 0, skipped: [] });
    const pw = image.fs.files.get("/app/pw")!;
    expect(await secondLook(image, [pw], { maxBytes: PW.length - 1 })).toEqual({ layers: [], files: 0, bytes: 0, skipped: [pw] });
    expect(source.readsOf(0)).toBe(1);
  });

  it("the limit holds for all files together, in the order asked", async () => {
    const { image } = await load([[dir("a"), file("a/1", "x".repeat(600)), file("a/2", "y".repeat(600)), file("a/3", "z".repeat(300))]]);
    const [one, two, three] = ["/a/1", "/a/2", "/a/3"].map((p) => image.fs.files.get(p)!);
    const plan = planSecondLook(image.fs.files, image.layerIndexes, [one!, two!, three!, one!], 1000);
    expect([...plan.layers.get(0)!.values()].map((e) => e.path)).toEqual(["/a/1", "/a/3"]);
    expect(plan).toMatchObject({ bytes: 900, skipped: [two] });
  });

  it("goes through the same verification: other bytes on the second read fail the scan", async () => {
    const { source, image } = await load([[dir("app"), file("app/pw", PW)], [dir("etc"), symlink("etc/passwd", "/app/pw")]]);
    const forged = gzipSync(await packTar([dir("app"), file("app/pw", PW.replace("1000:1000", "0:0"))]));
    source.laterBytes.set(image.manifest.layers[0]!.digest, forged);
    const err = await secondLook(image, [image.fs.files.resolve("/etc/passwd")!]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LayerlintError);
    expect((err as LayerlintError).code).toMatch(/MISMATCH/);
    expect(text(image, "/etc/passwd")).toBeUndefined();
  });
});
