/**
 * The benchmark image as `docker save` writes it (legacy layout: one
 * `<id>/layer.tar` per layer, uncompressed, then the config, manifest.json
 * last), for the streamed-archive measurements: the same archive piped
 * (`cat docker8.tar | layerlint scan -`) and read in place, and its gzip
 * (`docker save myapp | gzip`). Made once from the gzip layout and cached
 * beside it; layers are inflated twice (their size first, as a tar header
 * precedes its data) and never held in memory.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { readFile, rename } from "node:fs/promises";
import { once } from "node:events";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { END_OF_ARCHIVE, paddingFor, tarHeader } from "./tar-writer.js";
import type { BenchImage } from "./generate-big-image.js";

export interface DockerArchives {
  /** Uncompressed layers, as `docker save -o` writes. */
  tar: string;
  /** The same archive through gzip (level 1), as `docker save | gzip` gives. */
  gzip: string;
}

async function inflatedSize(file: string): Promise<number> {
  let n = 0;
  await pipeline(createReadStream(file), zlib.createGunzip(), async function* (src: AsyncIterable<Buffer>) {
    for await (const c of src) n += c.length;
  });
  return n;
}

async function writeArchive(img: BenchImage, out: string): Promise<void> {
  const index = JSON.parse(await readFile(path.join(img.gzip8.dir, "index.json"), "utf8")) as { manifests: { digest: string }[] };
  const blob = (digest: string) => path.join(img.gzip8.dir, "blobs/sha256", digest.slice(7));
  const manifest = JSON.parse(await readFile(blob(index.manifests[0]!.digest), "utf8")) as { config: { digest: string } };
  const config = await readFile(blob(manifest.config.digest));
  const ws = createWriteStream(`${out}.partial`);
  const write = async (b: Buffer): Promise<void> => {
    if (!ws.write(b)) await once(ws, "drain");
  };
  const header = (name: string, size: number, type: "file" | "dir" = "file") =>
    tarHeader({ path: name, type, mode: type === "dir" ? 0o755 : 0o644, uid: 0, gid: 0, size, mtime: 0 });
  const layers: string[] = [];
  for (const [i, file] of img.gzip8.layerFiles.entries()) {
    const id = createHash("sha256").update(`bench layer ${i}`).digest("hex");
    const size = await inflatedSize(file);
    await write(header(`${id}/`, 0, "dir"));
    await write(header(`${id}/VERSION`, 3));
    await write(Buffer.concat([Buffer.from("1.0"), paddingFor(3)]));
    await write(header(`${id}/layer.tar`, size));
    for await (const c of createReadStream(file).pipe(zlib.createGunzip({ chunkSize: 256 * 1024 }))) await write(c as Buffer);
    await write(paddingFor(size));
    layers.push(`${id}/layer.tar`);
  }
  const configName = `${manifest.config.digest.slice(7)}.json`;
  await write(header(configName, config.length));
  await write(Buffer.concat([config, paddingFor(config.length)]));
  const manifestJson = Buffer.from(JSON.stringify([{ Config: configName, RepoTags: ["bench:v1"], Layers: layers }]));
  await write(header("manifest.json", manifestJson.length));
  await write(Buffer.concat([manifestJson, paddingFor(manifestJson.length)]));
  await write(END_OF_ARCHIVE);
  ws.end();
  await once(ws, "finish");
  await rename(`${out}.partial`, out);
}

/** The cached archives, made first when missing. */
export async function ensureDockerArchives(img: BenchImage, log: (m: string) => void): Promise<DockerArchives> {
  const tar = path.join(img.root, "docker8.tar");
  const gzip = `${tar}.gz`;
  if (!existsSync(tar)) {
    const t = performance.now();
    await writeArchive(img, tar);
    log(`wrote ${tar} in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }
  if (!existsSync(gzip)) {
    const t = performance.now();
    await pipeline(createReadStream(tar), zlib.createGzip({ level: 1 }), createWriteStream(`${gzip}.partial`));
    await rename(`${gzip}.partial`, gzip);
    log(`wrote ${gzip} in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }
  return { tar, gzip };
}
