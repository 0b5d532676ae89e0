/**
 * Packs a real directory tree into a one-layer OCI image layout, and builds
 * the real-world trees the slow suite packs (a debootstrap'd Debian rootfs,
 * the extracted contents of some Debian packages), cached across runs.
 *
 * The layer is written by GNU tar, an independent producer: it keeps modes
 * (setuid/setgid/sticky), numeric uid/gid, symlinks, hardlinks, device
 * nodes and xattrs (`security.capability`) as PAX `SCHILY.xattr.*` records.
 * Its output is gzipped by Node while streaming, hashing both sides, so
 * neither the layer nor the blob is ever held in memory.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { writeGzipLayout } from "./gzip-layout.js";

export interface PackOptions {
  /** `org.opencontainers.image.ref.name` of the single manifest. */
  refName?: string;
  /** config.config (User, Env, …). Default: root user, Debian's PATH. */
  config?: Record<string, unknown>;
  /** gzip level, default 6. */
  level?: number;
}

export interface PackedImage {
  layout: string;
  manifestDigest: string;
  layerDigest: string;
  diffId: string;
  compressedSize: number;
  uncompressedSize: number;
}

export const DEBIAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * `tar --numeric-owner --xattrs -C rootfs -cf - .` | gzip → `layout` (an OCI
 * image layout with one manifest). Stays on one file system, so a mounted
 * /proc inside the tree is never archived. GNU tar exits 1 when a file
 * changed while being read; only ≥ 2 is an error.
 */
export async function packRootfs(rootfs: string, layout: string, opts: PackOptions = {}): Promise<PackedImage> {
  await rm(layout, { recursive: true, force: true });
  await mkdir(`${layout}/blobs/sha256`, { recursive: true });
  const tar = spawn(
    "tar",
    [
      "--numeric-owner",
      "--xattrs",
      "--xattrs-include=*",
      "--format=posix",
      "--pax-option=delete=atime,delete=ctime",
      "--sort=name",
      "--one-file-system",
      "-C",
      rootfs,
      "-cf",
      "-",
      ".",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const err: Buffer[] = [];
  tar.stderr.on("data", (c: Buffer) => err.push(c));
  const exited = new Promise<number>((resolve, reject) => {
    tar.on("error", reject);
    tar.on("close", (code) => resolve(code ?? -1));
  });
  const written = writeGzipLayout(layout, tar.stdout, {
    config: opts.config ?? { Env: [`PATH=${DEBIAN_PATH}`], Cmd: ["bash"] },
    createdBy: `tar -C ${rootfs} -cf - . (test/helpers/pack-rootfs.ts)`,
    refName: opts.refName,
    level: opts.level,
  });
  const [code, image] = await Promise.all([exited, written]);
  if (code >= 2 || code < 0) throw new Error(`tar exited ${code}: ${Buffer.concat(err).toString("utf8").slice(0, 2000)}`);
  return { layout, ...image };
}

// ---------------------------------------------------------------------------
// Real-world trees, cached in a stable temp location so a second run is fast.

export const DEBIAN_CACHE = `${os.tmpdir()}/layerlint-debian-rootfs-cache`;

/**
 * The bookworm mirror apt on this machine uses: the first `URIs:` of a deb822
 * stanza whose Suites name bookworm (not -security), or the first
 * `deb URI bookworm` line of sources.list.
 */
export function debianMirror(): string {
  const dir = "/etc/apt/sources.list.d";
  const sources = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".sources")) : [];
  for (const f of sources) {
    for (const stanza of readFileSync(`${dir}/${f}`, "utf8").split(/\n\s*\n/)) {
      const uris = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
      const suites = /^Suites:\s*(.*)$/m.exec(stanza)?.[1]?.split(/\s+/) ?? [];
      if (uris !== undefined && suites.includes("bookworm")) return uris;
    }
  }
  if (existsSync("/etc/apt/sources.list")) {
    for (const line of readFileSync("/etc/apt/sources.list", "utf8").split("\n")) {
      const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/.exec(line.trim() + " ");
      if (m?.[1] !== undefined) return m[1];
    }
  }
  return "http://deb.debian.org/debian";
}

/**
 * A `debootstrap --variant=minbase bookworm` root filesystem, built once
 * into DEBIAN_CACHE and reused while its `.ok` marker exists. Built beside
 * the final path and renamed in, so a killed run never leaves a half tree
 * that looks complete.
 */
export async function debootstrapRootfs(): Promise<string> {
  const rootfs = `${DEBIAN_CACHE}/bookworm-minbase`;
  const marker = `${rootfs}.ok`;
  if (existsSync(marker) && existsSync(`${rootfs}/usr/bin`)) return rootfs;
  await mkdir(DEBIAN_CACHE, { recursive: true });
  const partial = `${rootfs}.partial`;
  await rm(partial, { recursive: true, force: true });
  await rm(rootfs, { recursive: true, force: true });
  const mirror = debianMirror();
  const r = spawnSync("debootstrap", ["--variant=minbase", "bookworm", partial, mirror], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) {
    throw new Error(`debootstrap failed (${r.status}) with mirror ${mirror}: ${(r.stderr + r.stdout).slice(-3000)}`);
  }
  await rename(partial, rootfs);
  await writeFile(marker, `${new Date().toISOString()} debootstrap --variant=minbase bookworm ${mirror}\n`);
  return rootfs;
}

export const DEBIAN_PACKAGES = [
  "ca-certificates",
  "python3",
  "python3.11",
  "libpython3.11-stdlib",
  "python3.11-minimal",
  "libpython3.11-minimal",
];

/**
 * The contents of DEBIAN_PACKAGES (`apt-get download` + `dpkg-deb -x` each
 * into one tree), cached like the rootfs. `apt-get update` runs only when a
 * download fails for lack of package lists.
 */
export async function debianPackagesTree(): Promise<string> {
  const tree = `${DEBIAN_CACHE}/packages-tree`;
  const marker = `${tree}.ok`;
  if (existsSync(marker) && existsSync(`${tree}/usr`)) return tree;
  const debs = `${DEBIAN_CACHE}/debs`;
  await rm(debs, { recursive: true, force: true });
  await mkdir(debs, { recursive: true });
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const download = () => spawnSync("apt-get", ["download", ...DEBIAN_PACKAGES], { cwd: debs, env, encoding: "utf8" });
  let r = download();
  if (r.status !== 0) {
    execFileSync("apt-get", ["update", "-q"], { stdio: "ignore", env });
    r = download();
    if (r.status !== 0) throw new Error(`apt-get download failed: ${r.stderr}`);
  }
  const partial = `${tree}.partial`;
  await rm(partial, { recursive: true, force: true });
  await rm(tree, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const files = readdirSync(debs).filter((f) => f.endsWith(".deb"));
  if (files.length !== DEBIAN_PACKAGES.length) throw new Error(`expected ${DEBIAN_PACKAGES.length} .deb files, got ${files.join(", ")}`);
  for (const f of files) execFileSync("dpkg-deb", ["-x", `${debs}/${f}`, partial], { stdio: "pipe" });
  await rename(partial, tree);
  await writeFile(marker, `${new Date().toISOString()} ${files.join(" ")}\n`);
  return tree;
}
