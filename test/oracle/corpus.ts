/**
 * The generated corpus for the runtime differential test: one small image
 * per way a crafted layer can make layerlint see something other than what
 * containerd and moby unpack. Each case is a base layer (below) plus the
 * hostile layers, and states the exit code
 * `layerlint scan --forbid shell,setuid --require-non-root` must give; the
 * test checks that statement against the oracle too.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dir, file, packTar } from "../../fixtures/lib/tar-pack.js";
import { image, layer, layoutFiles, writeTree } from "../hostile/build.js";
import { fsCases } from "./corpus-fs.js";
import { tarCases } from "./corpus-tar.js";
import { treeCases } from "./corpus-tree.js";
import { userCases } from "./corpus-user.js";

export type Family = "tar reader" | "hardlink headers" | "files we cannot see" | "user resolution" | "path semantics" | "tree";

export interface CorpusCase {
  id: string;
  family: Family;
  /** What the runtimes do with it, in one line (and the Go function that does it). */
  about: string;
  /** The hostile layers (uncompressed tar streams), stacked on the base layer. */
  layers: () => Promise<Buffer[]>;
  /** config User; "1000" when not given. */
  user?: string;
  /** Exit code of `scan --forbid shell,setuid --require-non-root`. */
  gate: 0 | 1;
  /** Which runtimes apply the layers without an error ("both" when not given). */
  appliedBy?: "both" | "containerd-only" | "moby-only" | "neither";
}

export const corpus: readonly CorpusCase[] = [...tarCases, ...fsCases, ...treeCases, ...userCases];

/** The ordinary lower layer: directories, an unprivileged app account, no shell. */
export function baseLayer(): Promise<Buffer> {
  return packTar([
    dir("etc"),
    file("etc/hostname", "oracle\n"),
    file("etc/passwd", "root:x:0:0:root:/root:/sbin/nologin\napp:x:1000:1000:app:/home/app:/sbin/nologin\n"),
    file("etc/group", "root:x:0:\napp:x:1000:\n"),
    dir("app"),
    file("app/ok.txt", "analysed\n"),
    dir("usr"),
    dir("usr/bin"),
  ]);
}

export interface BuiltImage {
  /** `oci:DIR` for the CLI. */
  input: string;
  /** Layer tar files for the oracle, bottom first. */
  layerFiles: string[];
  user: string;
}

/**
 * Writes `layers` as uncompressed tar files and as an OCI layout (layers
 * stored uncompressed) under `dir`.
 */
export async function writeImage(work: string, layers: Buffer[], user: string): Promise<BuiltImage> {
  await mkdir(work, { recursive: true });
  const layerFiles: string[] = [];
  for (const [i, t] of layers.entries()) {
    const p = `${work}/layer${i}.tar`;
    await writeFile(p, t);
    layerFiles.push(p);
  }
  const built = image({
    layers: layers.map((t) => layer(t, "none")),
    config: (c) => {
      c["config"] = { User: user };
    },
  });
  const root = await writeTree(`${work}/img`, layoutFiles(built));
  return { input: `oci:${root}`, layerFiles, user };
}

/** A corpus case on top of the base layer. */
export async function writeCase(work: string, c: CorpusCase): Promise<BuiltImage> {
  return writeImage(work, [await baseLayer(), ...(await c.layers())], c.user ?? "1000");
}
