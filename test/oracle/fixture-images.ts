/**
 * Every image of every fixture OCI layout (fixtures/out/*.oci, written by
 * the vitest global setup): each ref of index.json, and for a ref naming an
 * index, each platform image (attestation manifests, platform
 * unknown/unknown, are not images). Layers are decompressed by magic bytes
 * into tar files for the oracle.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import zlib from "node:zlib";
import { decompress as zstdDecompress } from "fzstd";
import { fixturesOut } from "../helpers/cli.js";

export interface FixtureImage {
  label: string;
  /** `oci:DIR:REF` */
  input: string;
  /** `--platform` for a ref that names an index. */
  platform?: string;
  user: string;
  /** Uncompressed layer tars, bottom first. */
  layers: Buffer[];
}

interface Desc {
  mediaType: string;
  digest: string;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

const INDEX = new Set(["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"]);

async function blob(dir: string, digest: string): Promise<Buffer> {
  return readFile(`${dir}/blobs/${digest.replace(":", "/")}`);
}

function uncompressed(b: Buffer): Buffer {
  if (b[0] === 0x1f && b[1] === 0x8b) return zlib.gunzipSync(b);
  if (b.readUInt32LE(0) === 0xfd2fb528) return Buffer.from(zstdDecompress(b));
  return b;
}

async function imageOf(dir: string, d: Desc): Promise<{ user: string; layers: Buffer[] }> {
  const manifest = JSON.parse((await blob(dir, d.digest)).toString("utf8")) as { config: Desc; layers: Desc[] };
  const config = JSON.parse((await blob(dir, manifest.config.digest)).toString("utf8")) as { config?: { User?: string } };
  const layers = await Promise.all(manifest.layers.map(async (l) => uncompressed(await blob(dir, l.digest))));
  return { user: config.config?.User ?? "", layers };
}

export async function fixtureImages(): Promise<FixtureImage[]> {
  const out: FixtureImage[] = [];
  for (const name of (await readdir(fixturesOut)).filter((n) => n.endsWith(".oci")).sort()) {
    const dir = `${fixturesOut}/${name}`;
    const index = JSON.parse(await readFile(`${dir}/index.json`, "utf8")) as { manifests: Desc[] };
    for (const top of index.manifests) {
      const ref = top.annotations?.["org.opencontainers.image.ref.name"];
      const input = ref === undefined ? `oci:${dir}` : `oci:${dir}:${ref}`;
      if (!INDEX.has(top.mediaType)) {
        out.push({ label: `${name}:${ref ?? top.digest}`, input, ...(await imageOf(dir, top)) });
        continue;
      }
      const child = JSON.parse((await blob(dir, top.digest)).toString("utf8")) as { manifests: Desc[] };
      for (const m of child.manifests) {
        const p = m.platform;
        if (p === undefined || p.os === "unknown") continue;
        const platform = [p.os, p.architecture, p.variant].filter((x) => x !== undefined).join("/");
        out.push({ label: `${name}:${ref} ${platform}`, input, platform, ...(await imageOf(dir, m)) });
      }
    }
  }
  return out;
}

/** Writes an image's layers as files under `dir`, returning their paths. */
export async function writeLayers(dir: string, layers: Buffer[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  return Promise.all(
    layers.map(async (l, i) => {
      const p = `${dir}/layer${i}.tar`;
      await writeFile(p, l);
      return p;
    }),
  );
}
