/**
 * What the benchmark image holds: a deterministic list of tar entries per
 * layer, with content described (pool + offset, or literal bytes) rather
 * than materialised, so the writer can stream it.
 *
 * Shape (see bench/README.md): 8 layers of a Debian-based Node/Python app
 * image. Every overwrite, whiteout and opaque directory is in layers 4–7
 * and targets layers 0–3, so packing layers 0–3 and 4–7 into 2 layers gives
 * the same final filesystem with the same entries (the RSS comparison).
 */
import { fakePem } from "../fixtures/lib/prng.js";
import { CAP_NET_RAW, vfsCapV2 } from "../fixtures/lib/tar-pack.js";
import { Rng, seedOf } from "../test/helpers/prng.js";
import type { TarType } from "./tar-writer.js";

/** Bump when the plan or pools change: it keys the cache directory. */
export const PLAN_VERSION = "v1";

export const POOL_TEXT = 0; // source-like and config-like text
export const POOL_BIN = 1; // machine-code-like bytes (compress ~2×)
export const POOL_RAND = 2; // already-compressed data (png, .gz, model weights)

export interface PlanEntry {
  path: string; // relative, no leading slash
  type: TarType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  link?: string;
  xattrs?: Record<string, Buffer>;
  /** Literal content (secrets, /etc files, whiteouts). */
  data?: Buffer;
  /** Pooled content: `prefix` then bytes of pool `pool` from `off`. */
  pool?: number;
  off?: number;
  prefix?: Buffer;
}

export interface LayerPlan {
  index: number;
  createdBy: string;
  entries: PlanEntry[];
}

export const MTIME = 1_700_000_000;

const SYLLABLES = [
  "ba", "co", "de", "fi", "ga", "hu", "jo", "ki", "lu", "ma", "ne", "po", "qui", "ra", "so", "tu", "ve", "wi", "xa", "yo",
  "zen", "lin", "mor", "tal", "ex", "on", "ar", "il", "um", "ser", "vel", "dat", "map", "run", "net", "sys", "log", "io",
];

function word(rng: Rng, syl = 2 + rng.int(2)): string {
  let w = "";
  for (let i = 0; i < syl; i++) w += rng.pick(SYLLABLES);
  return w;
}

/** Directory metadata across layers: a parent re-emitted by a later layer keeps its mode and owner, as a real build does. */
type DirMeta = Map<string, { mode: number; uid: number; gid: number }>;

class Builder {
  readonly entries: PlanEntry[] = [];
  private readonly dirs = new Set<string>();
  constructor(readonly rng: Rng, private readonly dirMeta: DirMeta) {}

  dir(path: string, mode?: number, uid?: number, gid?: number): void {
    if (path === "" || this.dirs.has(path)) return;
    const slash = path.lastIndexOf("/");
    if (slash > 0) this.dir(path.slice(0, slash));
    this.dirs.add(path);
    const known = this.dirMeta.get(path);
    const meta = { mode: mode ?? known?.mode ?? 0o755, uid: uid ?? known?.uid ?? 0, gid: gid ?? uid ?? known?.gid ?? 0 };
    this.dirMeta.set(path, meta);
    this.entries.push({ path, type: "dir", ...meta, size: 0 });
  }

  private parent(path: string): void {
    const slash = path.lastIndexOf("/");
    if (slash > 0) this.dir(path.slice(0, slash));
  }

  /** A pooled file; `prefix` (text files) makes each one distinct. */
  file(path: string, size: number, pool: number, o: { mode?: number; uid?: number; gid?: number; prefix?: string; xattrs?: Record<string, Buffer> } = {}): PlanEntry {
    this.parent(path);
    const prefix = o.prefix !== undefined ? Buffer.from(o.prefix) : undefined;
    const e: PlanEntry = {
      path,
      type: "file",
      mode: o.mode ?? 0o644,
      uid: o.uid ?? 0,
      gid: o.gid ?? o.uid ?? 0,
      size: size + (prefix?.length ?? 0),
      pool,
      off: this.rng.u32(),
    };
    if (prefix) e.prefix = prefix;
    if (o.xattrs) e.xattrs = o.xattrs;
    this.entries.push(e);
    return e;
  }

  text(path: string, size: number, comment = "#", o: { mode?: number; uid?: number } = {}): PlanEntry {
    return this.file(path, size, POOL_TEXT, { ...o, prefix: `${comment} ${path}\n` });
  }

  literal(path: string, data: string | Buffer, o: { mode?: number; uid?: number; gid?: number } = {}): void {
    this.parent(path);
    const buf = Buffer.from(data);
    this.entries.push({ path, type: "file", mode: o.mode ?? 0o644, uid: o.uid ?? 0, gid: o.gid ?? o.uid ?? 0, size: buf.length, data: buf });
  }

  symlink(path: string, target: string): void {
    this.parent(path);
    this.entries.push({ path, type: "symlink", mode: 0o777, uid: 0, gid: 0, size: 0, link: target });
  }

  hardlink(path: string, target: string): void {
    this.parent(path);
    this.entries.push({ path, type: "hardlink", mode: 0o755, uid: 0, gid: 0, size: 0, link: target });
  }

  whiteout(path: string): void {
    const slash = path.lastIndexOf("/");
    this.literal(`${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}`, "");
  }

  opaque(dir: string): void {
    this.dir(dir);
    this.literal(`${dir}/.wh..wh..opq`, "");
  }
}

/** What later layers refer to. */
interface World {
  libs: string[];
  bins: string[];
  docPkgs: string[];
  manPages: string[];
  nodePkgsWithTests: string[];
}

// Obviously fake credentials in the shapes the secret rules look for.
const FAKE_AWS_ID = "AKIA" + "QX7B2M4N6PSRZTQV";
const FAKE_AWS_SECRET = "kX9mP2vL7qR4tY8wZ3nB" + "6cF1hJ5dG0sA9eU2iO7y";
const FAKE_GH = "ghp_" + "Zx9Kq2Lm4Np6Rs8Tv0Wy1Ab3Cd5Ef7Gh9Ij1";

function fakePrivateKey(rng: Rng): string {
  const body = Buffer.alloc(1190);
  for (let i = 0; i < body.length; i++) body[i] = rng.int(256);
  return fakePem("RSA PRIVATE KEY", body);
}

const TOOLS = [
  "bash", "dash", "apt", "apt-get", "dpkg", "perl", "perl5.36.0", "gzip", "tar", "sed", "grep", "ls", "cat", "cp", "mv",
  "chmod", "chown", "find", "xargs", "env", "id", "mount", "umount", "su", "passwd", "chsh", "newgrp", "ping", "login",
];

function layer0(b: Builder, w: World): string {
  const r = b.rng;
  for (const [l, t] of [["bin", "usr/bin"], ["sbin", "usr/sbin"], ["lib", "usr/lib"], ["lib64", "usr/lib64"]] as const) b.symlink(l, t);
  b.dir("tmp", 0o1777);
  b.dir("root", 0o700);
  b.literal("etc/os-release", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n');
  b.literal(
    "etc/passwd",
    "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nbin:x:2:2:bin:/bin:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\napp:x:1000:1000::/home/app:/bin/sh\n",
  );
  b.literal("etc/shadow", "root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\napp:!:19000:0:99999:7:::\n", { mode: 0o640, gid: 42 });
  b.literal("etc/group", "root:x:0:\nshadow:x:42:\napp:x:1000:\n");
  for (let i = 0; i < 160; i++) {
    const sub = r.chance(0.5) ? `${word(r)}/` : "";
    b.text(`etc/${sub}${word(r)}.${r.pick(["conf", "cfg", "ini", "conf"])}`, r.size(1200, 1, 60, 40_000));
  }
  for (const t of TOOLS) {
    const suid = ["su", "passwd", "chsh", "mount", "umount", "newgrp", "login"].includes(t);
    const xattrs = t === "ping" ? { "security.capability": vfsCapV2(1 << CAP_NET_RAW) } : undefined;
    b.file(`usr/bin/${t}`, r.size(120_000, 1, 8_000, 2_000_000), POOL_BIN, { mode: suid ? 0o4755 : 0o755, ...(xattrs ? { xattrs } : {}) });
  }
  b.symlink("usr/bin/sh", "dash");
  for (let i = 0; i < 650; i++) {
    const p = `usr/bin/${word(r)}-${i}`;
    b.file(p, r.size(40_000, 1.1, 2_000, 4_000_000), POOL_BIN, { mode: 0o755 });
    w.bins.push(p);
  }
  for (let i = 0; i < 110; i++) b.file(`usr/sbin/${word(r)}${i}`, r.size(40_000, 1, 2_000, 2_000_000), POOL_BIN, { mode: 0o755 });
  for (let i = 0; i < 1500; i++) {
    const name = `lib${word(r)}${i}.so`;
    const p = `usr/lib/x86_64-linux-gnu/${name}.${1 + r.int(3)}.${r.int(10)}.0`;
    b.file(p, r.size(45_000, 1.2, 4_000, 12_000_000), POOL_BIN);
    if (r.chance(0.6)) b.symlink(`usr/lib/x86_64-linux-gnu/${name}.1`, p.slice(p.lastIndexOf("/") + 1));
    w.libs.push(p);
  }
  for (let i = 0; i < 420; i++) {
    const pkg = `${word(r)}-${i}`;
    b.text(`usr/share/doc/${pkg}/copyright`, r.size(3_000, 1, 200, 60_000));
    b.file(`usr/share/doc/${pkg}/changelog.Debian.gz`, r.size(2_000, 1, 100, 80_000), POOL_RAND);
    b.text(`var/lib/dpkg/info/${pkg}.list`, r.size(2_000, 1.2, 40, 80_000));
    b.text(`var/lib/dpkg/info/${pkg}.md5sums`, r.size(3_000, 1.2, 40, 120_000));
    w.docPkgs.push(`usr/share/doc/${pkg}`);
  }
  const langs = Array.from({ length: 36 }, (_, i) => (i === 0 ? "fr" : `${word(r, 1)}${i}`));
  for (const l of langs) for (let d = 0; d < 60; d++) b.file(`usr/share/locale/${l}/LC_MESSAGES/dom${d}.mo`, r.size(6_000, 1, 300, 200_000), POOL_BIN);
  for (let i = 0; i < 3000; i++) b.file(`usr/share/zoneinfo/${word(r, 1)}/${word(r)}${i}`, r.size(1_500, 0.6, 100, 20_000), POOL_BIN);
  for (let i = 0; i < 1500; i++) {
    const p = `usr/share/man/man${1 + r.int(8)}/${word(r)}${i}.${1 + r.int(8)}.gz`;
    b.file(p, r.size(3_000, 1, 200, 100_000), POOL_RAND);
    w.manPages.push(p);
  }
  for (let i = 0; i < 90; i++) b.file(`var/cache/apt/archives/${word(r)}_${i}_amd64.deb`, r.size(300_000, 1, 5_000, 8_000_000), POOL_RAND);
  return "ADD file:4b3c2a1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b in /";
}

function layer1(b: Builder): string {
  const r = b.rng;
  b.file("usr/bin/python3.11", 6_200_000, POOL_BIN, { mode: 0o755 });
  b.symlink("usr/bin/python3", "python3.11");
  b.file("usr/bin/curl", 280_000, POOL_BIN, { mode: 0o755 });
  b.text("usr/bin/pip3", 400, "#!/usr/bin/python3\n#", { mode: 0o755 });
  for (let p = 0; p < 400; p++) {
    const pkg = word(r);
    const n = 5 + r.int(30);
    for (let i = 0; i < n; i++) {
      const mod = word(r);
      b.text(`usr/lib/python3.11/${pkg}/${mod}.py`, r.size(5_000, 1, 100, 300_000));
      b.file(`usr/lib/python3.11/${pkg}/__pycache__/${mod}.cpython-311.pyc`, r.size(4_500, 1, 200, 250_000), POOL_BIN);
    }
  }
  for (let p = 0; p < 120; p++) {
    const pkg = word(r);
    const n = 4 + r.int(40);
    for (let i = 0; i < n; i++) b.text(`usr/local/lib/python3.11/site-packages/${pkg}/${word(r)}.py`, r.size(5_000, 1, 100, 200_000));
    if (r.chance(0.4)) b.file(`usr/local/lib/python3.11/site-packages/${pkg}/_${pkg}.cpython-311-x86_64-linux-gnu.so`, r.size(500_000, 1, 20_000, 9_000_000), POOL_BIN);
    b.text(`usr/local/lib/python3.11/site-packages/${pkg}-1.${r.int(9)}.dist-info/RECORD`, r.size(3_000, 1, 100, 40_000));
  }
  return "RUN /bin/sh -c apt-get update && apt-get install -y python3 python3-pip curl && pip install -r requirements.txt # buildkit";
}

function layer2(b: Builder, w: World): string {
  const r = b.rng;
  b.file("usr/local/bin/node", 96_000_000, POOL_BIN, { mode: 0o755 });
  for (let i = 0; i < 2000; i++) b.text(`usr/local/lib/node_modules/npm/lib/${word(r)}/${word(r)}${i}.js`, r.size(3_000, 1, 80, 100_000), "//");
  b.symlink("usr/local/bin/npm", "../lib/node_modules/npm/bin/npm-cli.js");
  b.dir("app", 0o755, 1000);
  for (let p = 0; p < 1500; p++) {
    const pkg = `app/node_modules/${r.chance(0.2) ? `@${word(r)}/` : ""}${word(r)}${p}`;
    b.literal(`${pkg}/package.json`, `{\n  "name": "${pkg.slice(17)}",\n  "version": "1.${p % 17}.${p % 5}",\n  "main": "index.js"\n}\n`);
    b.text(`${pkg}/README.md`, r.size(3_000, 1, 100, 60_000));
    b.text(`${pkg}/LICENSE`, 1_050);
    b.text(`${pkg}/index.js`, r.size(1_500, 1, 50, 40_000), "//");
    const n = r.int(30);
    for (let i = 0; i < n; i++) {
      const sub = r.pick(["lib", "dist", "src", "dist/esm", "dist/cjs"]);
      b.text(`${pkg}/${sub}/${word(r)}.${r.pick(["js", "js", "d.ts", "mjs", "cjs", "json", "map"])}`, r.size(2_500, 1.2, 30, 400_000), "//");
    }
    if (r.chance(0.25)) {
      for (let i = 0; i < 3 + r.int(6); i++) b.text(`${pkg}/test/${word(r)}.test.js`, r.size(2_000, 1, 50, 30_000), "//");
      w.nodePkgsWithTests.push(pkg);
    }
    if (r.chance(0.015)) b.file(`${pkg}/build/Release/${word(r)}.node`, r.size(1_500_000, 0.8, 100_000, 12_000_000), POOL_BIN, { mode: 0o755 });
  }
  for (let i = 0; i < 6000; i++) {
    const h = (r.u32().toString(16) + r.u32().toString(16)).padStart(16, "0");
    b.file(`root/.npm/_cacache/content-v2/sha512/${h.slice(0, 2)}/${h.slice(2, 4)}/${h}`, r.size(4_000, 1.2, 100, 2_000_000), POOL_RAND);
  }
  for (let i = 0; i < 1500; i++) b.text(`root/.npm/_cacache/index-v5/${i % 256}/${word(r)}${i}`, r.size(400, 0.4, 100, 4_000));
  return "RUN /bin/sh -c npm ci --omit=dev # buildkit";
}

function layer3(b: Builder): string {
  const r = b.rng;
  const mods = Array.from({ length: 60 }, () => word(r));
  const subs = Array.from({ length: 12 }, () => word(r, 1));
  for (let i = 0; i < 9000; i++) {
    const [ext, c] = r.pick([["ts", "//"], ["ts", "//"], ["py", "#"], ["go", "//"], ["tsx", "//"], ["sql", "--"]] as const);
    b.text(`app/src/${r.pick(mods)}/${r.pick(subs)}/${word(r)}${i}.${ext}`, r.size(4_000, 1, 100, 200_000), c, { uid: 1000 });
  }
  for (let i = 0; i < 60; i++) b.text(`app/config/${word(r)}.${r.pick(["yaml", "json", "toml"])}`, r.size(800, 1, 50, 20_000), "#", { uid: 1000 });
  b.text("app/config/app.yaml", 1_500, "#", { uid: 1000 });
  b.literal("app/config/database.yml", 'production:\n  adapter: postgresql\n  host: db.internal\n  username: app\n  password: "Gq7-vLx2!pRz9#kW"\n', { uid: 1000 });
  b.literal("app/.env", `NODE_ENV=production\nAWS_ACCESS_KEY_ID=${FAKE_AWS_ID}\nAWS_SECRET_ACCESS_KEY=${FAKE_AWS_SECRET}\n`, { uid: 1000 });
  b.literal("app/deploy/id_rsa", fakePrivateKey(r), { mode: 0o644, uid: 1000 });
  b.literal("root/.aws/credentials", `[default]\naws_access_key_id = ${FAKE_AWS_ID}\naws_secret_access_key = ${FAKE_AWS_SECRET}\n`, { mode: 0o600 });
  for (let i = 0; i < 2400; i++) {
    const ext = r.pick(["png", "png", "jpg", "woff2", "css", "js", "svg"]);
    const p = `app/public/${r.pick(subs)}/${word(r)}${i}.${ext}`;
    if (ext === "css" || ext === "js" || ext === "svg") b.text(p, r.size(6_000, 1, 100, 300_000), "/*", { uid: 1000 });
    else b.file(p, r.size(18_000, 1.2, 200, 3_000_000), POOL_RAND, { uid: 1000 });
  }
  b.file("app/dist/server", 58_000_000, POOL_BIN, { mode: 0o755, uid: 1000 });
  return "COPY . /app # buildkit";
}

function layer4(b: Builder): string {
  const r = b.rng;
  for (let i = 0; i < 14; i++) b.file(`srv/models/${word(r)}-${i}.bin`, r.size(7_500_000, 0.5, 1_000_000, 24_000_000), POOL_RAND);
  b.literal("srv/models/manifest.json", '{"models": 14}\n');
  for (let i = 0; i < 2600; i++) b.text(`srv/www/${word(r)}/${word(r)}${i}.${r.pick(["html", "css", "js"])}`, r.size(4_000, 1, 100, 200_000), "<!--");
  for (let i = 0; i < 1800; i++) b.file(`srv/www/img/${word(r)}${i}.${r.pick(["png", "jpg", "webp"])}`, r.size(15_000, 1.1, 300, 2_000_000), POOL_RAND);
  return "ADD models /srv/models # buildkit";
}

function layer5(b: Builder, w: World): string {
  const r = b.rng;
  // Upgraded packages overwrite libraries and binaries of layer 0.
  for (const p of w.libs) if (r.chance(0.6)) b.file(p, r.size(45_000, 1.2, 4_000, 12_000_000), POOL_BIN);
  for (const p of w.bins) if (r.chance(0.5)) b.file(p, r.size(40_000, 1.1, 2_000, 4_000_000), POOL_BIN, { mode: 0o755 });
  // Removed packages: whole doc directories, single man pages, and an opaque locale dir.
  for (const d of w.docPkgs) if (r.chance(0.35)) b.whiteout(d);
  for (const p of w.manPages) if (r.chance(0.4)) b.whiteout(p);
  b.opaque("usr/share/locale/fr/LC_MESSAGES");
  for (let d = 0; d < 12; d++) b.file(`usr/share/locale/fr/LC_MESSAGES/new${d}.mo`, r.size(6_000, 1, 300, 200_000), POOL_BIN);
  for (let i = 0; i < 400; i++) b.text(`var/lib/dpkg/info/${word(r)}-u${i}.list`, r.size(2_000, 1.2, 40, 80_000));
  return "RUN /bin/sh -c apt-get upgrade -y && apt-get purge -y --auto-remove $REMOVED # buildkit";
}

function layer6(b: Builder): string {
  const r = b.rng;
  b.dir("home/app", 0o755, 1000);
  b.literal("home/app/.bashrc", "export PATH=$PATH:/app/bin\nalias ll='ls -l'\n", { uid: 1000 });
  b.literal("home/app/.git-credentials", `https://app:${FAKE_GH}@github.com\n`, { mode: 0o600, uid: 1000 });
  for (let i = 0; i < 10000; i++) b.text(`var/lib/app/data/${word(r, 1)}/${word(r)}${i}.json`, r.size(2_500, 1, 50, 120_000), "//", { uid: 1000 });
  for (let i = 0; i < 10000; i++) b.file(`var/lib/app/segments/${i % 100}/${word(r)}${i}.seg`, r.size(4_500, 1.2, 64, 1_000_000), POOL_BIN, { uid: 1000 });
  for (let i = 0; i < 110; i++) b.file(`var/lib/app/blobs/${word(r)}${i}.dat`, r.size(350_000, 0.8, 10_000, 6_000_000), POOL_RAND, { uid: 1000 });
  b.dir("var/lib/app/tmp", 0o777); // world-writable, no sticky bit
  return "RUN /bin/sh -c /app/bin/seed-data --out /var/lib/app # buildkit";
}

function layer7(b: Builder, w: World): string {
  const r = b.rng;
  b.whiteout("root/.npm");
  b.whiteout("root/.aws");
  b.whiteout("var/cache/apt/archives");
  for (const p of w.nodePkgsWithTests) b.whiteout(`${p}/test`);
  b.text("app/config/app.yaml", 1_600, "#", { uid: 1000 });
  b.literal("etc/motd", "Welcome to the bench image.\n");
  for (let i = 0; i < 40; i++) b.text(`etc/app/${word(r)}.conf`, r.size(600, 1, 50, 8_000));
  return "RUN /bin/sh -c rm -rf /root/.npm /root/.aws /var/cache/apt/archives node_modules/*/test # buildkit";
}

/** The 8 layers, bottom first. Pure: the same plan every time. */
export function buildPlan(): LayerPlan[] {
  const w: World = { libs: [], bins: [], docPkgs: [], manPages: [], nodePkgsWithTests: [] };
  const makers = [layer0, layer1, layer2, layer3, layer4, layer5, layer6, layer7];
  const dirMeta: DirMeta = new Map();
  return makers.map((make, index) => {
    const b = new Builder(new Rng(seedOf(`layerlint-bench-${PLAN_VERSION}-layer-${index}`)), dirMeta);
    const createdBy = make(b, w);
    return { index, createdBy, entries: b.entries };
  });
}

/** Totals for the plan (printed by the generator and recorded in RESULTS.md). */
export function planStats(layers: readonly LayerPlan[]): { files: number; entries: number; contentBytes: number; whiteouts: number } {
  let files = 0;
  let entries = 0;
  let contentBytes = 0;
  let whiteouts = 0;
  for (const l of layers) {
    for (const e of l.entries) {
      entries++;
      if (e.type === "file") {
        files++;
        contentBytes += e.size;
        if (e.path.includes("/.wh.") || e.path.startsWith(".wh.")) whiteouts++;
      }
    }
  }
  return { files, entries, contentBytes, whiteouts };
}

// ---- content pools ---------------------------------------------------------

const MiB = 1024 * 1024;

const CODE_WORDS = [
  "const", "let", "return", "function", "if", "else", "for", "while", "import", "export", "from", "class", "new",
  "this", "await", "async", "def", "self", "None", "true", "false", "null", "string", "number", "int", "err", "nil",
  "value", "index", "count", "result", "options", "config", "handler", "request", "response", "buffer", "stream",
];

function textPool(size: number): Buffer {
  const r = new Rng(seedOf(`text-pool-${PLAN_VERSION}`));
  const ids = Array.from({ length: 2000 }, () => {
    const a = word(r);
    return r.chance(0.5) ? a + word(r, 1).replace(/^./, (c) => c.toUpperCase()) : a;
  });
  const parts: string[] = [];
  let len = 0;
  while (len < size) {
    const indent = " ".repeat(2 * r.int(5));
    let line: string;
    switch (r.int(7)) {
      case 0: line = `${r.pick(CODE_WORDS)} ${r.pick(ids)}(${r.pick(ids)}, ${r.pick(ids)}) {`; break;
      case 1: line = `${r.pick(CODE_WORDS)} ${r.pick(ids)} = ${r.pick(ids)}.${r.pick(ids)}(${r.int(1000)});`; break;
      case 2: line = `# ${Array.from({ length: 4 + r.int(8) }, () => r.pick(ids)).join(" ")}`; break;
      case 3: line = `${r.pick(ids)}: ${r.chance(0.5) ? r.int(100000) : r.pick(ids)}`; break;
      case 4: line = `"${r.pick(ids)}": "${r.pick(ids)}-${r.int(100)}",`; break;
      case 5: line = "}"; break;
      default: line = `${r.pick(CODE_WORDS)} ${r.pick(ids)} ${r.pick(CODE_WORDS)} ${r.pick(ids)}[${r.int(64)}]`;
    }
    const s = `${indent}${line}\n`;
    parts.push(s);
    len += s.length;
  }
  return Buffer.from(parts.join("")).subarray(0, size);
}

/** Machine-code-like: a skewed byte distribution, zero runs and short repeats (gzip -1 gets ~2×). */
function binPool(size: number): Buffer {
  const r = new Rng(seedOf(`bin-pool-${PLAN_VERSION}`));
  const common = Array.from({ length: 32 }, () => r.int(256));
  const b = Buffer.alloc(size);
  let i = 0;
  while (i < size) {
    const k = r.int(100);
    if (k < 6) {
      i += 4 + r.int(60); // zero run (Buffer.alloc zero-filled)
    } else if (k < 40 && i > 4096) {
      const from = i - 1 - r.int(4000);
      const n = Math.min(8 + r.int(56), size - i);
      b.copy(b, i, from, from + n);
      i += n;
    } else {
      const n = Math.min(16, size - i);
      for (let j = 0; j < n; j++) b[i + j] = r.chance(0.8) ? common[r.int(32)]! : r.int(256);
      i += n;
    }
  }
  return b;
}

function randPool(size: number): Buffer {
  const r = new Rng(seedOf(`rand-pool-${PLAN_VERSION}`));
  const b = Buffer.alloc(size);
  for (let i = 0; i + 4 <= size; i += 4) b.writeUInt32LE(r.u32(), i);
  return b;
}

export function makePools(): Buffer[] {
  return [textPool(8 * MiB), binPool(16 * MiB), randPool(8 * MiB)];
}

/** The content of a file, as slices of the pools (no copies of pool bytes). */
export function* contentPieces(e: PlanEntry, pools: readonly Buffer[]): Generator<Buffer> {
  if (e.data) {
    if (e.data.length > 0) yield e.data;
    return;
  }
  let left = e.size;
  if (e.prefix) {
    const p = e.prefix.subarray(0, left);
    yield p;
    left -= p.length;
  }
  const pool = pools[e.pool!]!;
  let pos = e.off! % pool.length;
  while (left > 0) {
    const n = Math.min(left, pool.length - pos, 4 * MiB);
    yield pool.subarray(pos, pos + n);
    left -= n;
    pos = (pos + n + 1_234_567) % pool.length;
  }
}
