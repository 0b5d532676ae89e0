/**
 * The runtime oracle: a Go program (main.go and its siblings here) built
 * from Debian's packaged sources of containerd 1.6.20 and moby 20.10.24
 * with Debian's Go 1.19, in GOPATH mode. It applies layer tars with
 * containerd's archive.Apply and moby's archive.UnpackLayer, each in a child
 * process chrooted into a fresh temp dir, and reports the unpacked tree and
 * the resolved config user (containerd's oci.WithUser, moby's getUser and
 * runc's GetExecUser). Tests compare layerlint's view with it.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ensureDebianFiles, ensureDebianPackages } from "../helpers/debian.js";
import { runBatch } from "../helpers/batch-process.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const GOPATH = "/usr/share/gocode";
const SRC = `${GOPATH}/src/github.com`;

/** One path of an unpacked tree (see tree.go). Paths and links are hex of raw bytes. */
export interface TreeEntry {
  path: string;
  type: "file" | "dir" | "symlink" | "char" | "block" | "fifo" | "socket";
  mode: string;
  uid: number;
  gid: number;
  size: number;
  link: string | null;
  inode: number;
  nlink: number;
  capability: string | null;
  rdev: string | null;
}

export interface UserResult {
  uid: number | null;
  gid: number | null;
  error: string | null;
  kind: "not-found" | "range" | "unreadable" | null;
}

export interface RuntimeResult {
  error: string | null;
  crashed?: boolean;
  tree: TreeEntry[];
  escaped: string[];
  users: Record<string, UserResult>;
}

export interface OracleResult {
  containerd: RuntimeResult;
  moby: RuntimeResult;
}

export interface OracleCase {
  /** Uncompressed layer tar files, bottom first. */
  layers: string[];
  /** The image config's User. */
  user: string;
}

function goSources(): string[] {
  return readdirSync(here).filter((n) => n.endsWith(".go")).sort();
}

let built: string | undefined;

/**
 * Installs the Debian packages (when missing) and builds the oracle once
 * into node_modules/.cache, keyed by a hash of its sources; later calls and
 * later runs reuse the binary.
 */
export function ensureOracle(): string {
  if (built !== undefined) return built;
  if (process.getuid?.() !== 0) throw new Error("the runtime oracle needs root (chroot, chown, mknod, security.* xattrs)");
  ensureDebianPackages({ go: "golang-go" });
  ensureDebianFiles({
    [`${SRC}/containerd/containerd/archive/tar.go`]: "golang-github-containerd-containerd-dev",
    [`${SRC}/docker/docker/pkg/archive/diff.go`]: "golang-github-docker-docker-dev",
    [`${SRC}/opencontainers/runc/libcontainer/user/user.go`]: "golang-github-opencontainers-runc-dev",
    [`${SRC}/moby/sys/symlink/fs.go`]: "golang-github-moby-sys-dev",
  });
  const hash = createHash("sha256");
  for (const name of goSources()) hash.update(name).update("\0").update(readFileSync(`${here}${name}`));
  const cache = `${repoRoot}node_modules/.cache/layerlint-oracle`;
  const bin = `${cache}/oracle-${hash.digest("hex").slice(0, 16)}`;
  if (!existsSync(bin)) {
    mkdirSync(cache, { recursive: true });
    // Build beside the final name and rename: two test files may build at once.
    const tmp = `${bin}.${process.pid}.tmp`;
    try {
      execFileSync("go", ["build", "-trimpath", "-o", tmp, "."], {
        cwd: here,
        stdio: ["ignore", "ignore", "pipe"],
        env: {
          ...process.env,
          GO111MODULE: "off",
          GOPATH,
          GOFLAGS: "",
          CGO_ENABLED: "0",
          GOCACHE: `${cache}/go-build`,
        },
      });
      renameSync(tmp, bin);
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  built = bin;
  return bin;
}

/**
 * Runs every case through both runtimes in one oracle process (children
 * are spawned per case and runtime, `jobs` at a time) under `work`.
 */
export async function runOracle(cases: OracleCase[], work: string, jobs = 2): Promise<OracleResult[]> {
  const bin = ensureOracle();
  const out = await runBatch(bin, ["batch"], "oracle", (stdin) => stdin.end(JSON.stringify({ work, cases, jobs })));
  const results = JSON.parse(out.toString("utf8")) as OracleResult[];
  for (const r of results) {
    for (const side of [r.containerd, r.moby]) {
      if (side.crashed) throw new Error(`oracle fault: ${side.error}`);
    }
  }
  return results;
}
