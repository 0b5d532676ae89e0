import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DOCKER_HUB_REGISTRY } from "../../reference/index.js";

/**
 * Registry credentials from the places docker and podman keep them
 * (https://github.com/docker/cli/blob/master/cli/config/configfile/file.go). Core never reads `process`: the caller passes the
 * environment and home directory in.
 */
export interface Credential {
  username?: string | undefined;
  password?: string | undefined;
  /** A refresh token for the OAuth2 POST (config `identitytoken`, helper Username `<token>`). */
  identityToken?: string | undefined;
  /** Sent to the registry as `Bearer` directly (config `registrytoken`). */
  registryToken?: string | undefined;
}

export interface CredentialLookup {
  /** Environment to read DOCKER_CONFIG, DOCKER_AUTH_CONFIG, REGISTRY_AUTH_FILE, XDG_*, PATH from. */
  env: Record<string, string | undefined>;
  /** Home directory for ~/.docker and ~/.config; defaults to env.HOME. */
  homeDir?: string | undefined;
  /** Time limit for a credential helper (default 10 s). */
  helperTimeoutMs?: number | undefined;
}

/** Docker Hub's key in config.json (docker/cli getAuthConfigKey). */
export const DOCKER_HUB_AUTH_KEY = "https://index.docker.io/v1/";

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}
interface ConfigFile {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** What a credential lookup found, and where it looked, for an authentication error that says so. */
export interface CredentialLookupResult {
  credential?: Credential | undefined;
  /**
   * The source, never the secret: `DOCKER_AUTH_CONFIG auths`,
   * `/home/u/.docker/config.json auths`, `credential helper docker-credential-pass`,
   * or, when nothing was found, where the lookup went and why each failed.
   */
  source: string;
}

/**
 * Looks credentials up for `registry` (as in the reference: `docker.io`,
 * `reg:5000`), in docker's order (docker/cli GetCredentialsStore):
 * DOCKER_AUTH_CONFIG overlays everything; then `credHelpers[host]`, else
 * `credsStore`; then config.json `auths`; then podman's auth.json files.
 * `repository` lets auth.json match `reg/ns/repo` keys first.
 */
export async function findCredentials(
  registry: string,
  repository: string,
  lookup: CredentialLookup,
): Promise<Credential | undefined> {
  return (await lookupCredentials(registry, repository, lookup)).credential;
}

/** findCredentials, with where the credential came from (or where none was found). */
export async function lookupCredentials(registry: string, repository: string, lookup: CredentialLookup): Promise<CredentialLookupResult> {
  const env = lookup.env;
  const home = lookup.homeDir ?? env.HOME;
  const hub = registry === DOCKER_HUB_REGISTRY;
  const looked: string[] = [];

  const envConfig = parseConfig(env.DOCKER_AUTH_CONFIG);
  const fromEnv = envConfig && fromAuths(envConfig.auths, registry);
  if (fromEnv) return { credential: fromEnv, source: "DOCKER_AUTH_CONFIG auths" };
  if (env.DOCKER_AUTH_CONFIG) looked.push("DOCKER_AUTH_CONFIG");

  const dockerDir = env.DOCKER_CONFIG || (home ? join(home, ".docker") : undefined);
  const configFile = dockerDir ? join(dockerDir, "config.json") : undefined;
  const configText = configFile ? await readText(configFile) : undefined;
  const config = parseConfig(configText);
  if (config) {
    const helper = config.credHelpers?.[hub ? DOCKER_HUB_AUTH_KEY : registry] ?? (hub ? config.credHelpers?.[registry] : undefined) ?? config.credsStore;
    if (helper) {
      const h = await runHelper(helper, hub ? DOCKER_HUB_AUTH_KEY : registry, env, lookup.helperTimeoutMs ?? 10_000);
      if ("credential" in h) return { credential: h.credential, source: `credential helper docker-credential-${helper}` };
      looked.push(`credential helper docker-credential-${helper} (${h.problem})`);
    }
    const c = fromAuths(config.auths, registry);
    if (c) return { credential: c, source: `${configFile} auths` };
  }
  if (configFile) looked.push(config ? `${configFile} auths` : `${configFile} (${configText === undefined ? "no such file" : "not valid JSON"})`);

  for (const file of podmanAuthFiles(env, home)) {
    const c = fromPodman(parseConfig(await readText(file))?.auths, registry, repository);
    if (c) return { credential: c, source: file };
  }
  looked.push("containers auth.json");
  return { source: `none found for ${registry} (looked in ${looked.join(", ")})` };
}

function parseConfig(text: string | undefined): ConfigFile | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === "object" ? (v as ConfigFile) : undefined;
  } catch {
    return undefined; // a broken config file means "no credentials", as a missing one
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

/** `https://reg:5000/v2/` → `reg:5000` (docker/cli ConvertToHostname). */
function toHostname(key: string): string {
  const s = key.replace(/^https?:\/\//, "");
  const slash = s.indexOf("/");
  return slash < 0 ? s : s.slice(0, slash);
}

const HUB_KEYS = new Set([DOCKER_HUB_AUTH_KEY, "docker.io", "index.docker.io", "registry-1.docker.io"]);

/** Exact key first, then any key whose hostname matches (docker/cli file_store.go). */
function fromAuths(auths: Record<string, AuthEntry> | undefined, registry: string): Credential | undefined {
  if (!auths || typeof auths !== "object") return undefined;
  const hub = registry === DOCKER_HUB_REGISTRY;
  const keys = Object.keys(auths);
  const matches = (k: string) => (hub ? HUB_KEYS.has(k) || HUB_KEYS.has(toHostname(k)) : toHostname(k) === registry);
  const key = (hub ? keys.find((k) => k === DOCKER_HUB_AUTH_KEY) : keys.find((k) => k === registry)) ?? keys.find(matches);
  return key === undefined ? undefined : fromEntry(auths[key]);
}

/** auth.json keys may name a namespace or repository: `reg/ns/repo`, then `reg/ns`, then `reg` (containers/image). */
function fromPodman(auths: Record<string, AuthEntry> | undefined, registry: string, repository: string): Credential | undefined {
  if (!auths || typeof auths !== "object") return undefined;
  const parts = repository.split("/");
  for (let n = parts.length; n > 0; n--) {
    const e = auths[`${registry}/${parts.slice(0, n).join("/")}`];
    if (e) return fromEntry(e);
  }
  return fromAuths(auths, registry);
}

function fromEntry(e: AuthEntry | undefined): Credential | undefined {
  if (!e || typeof e !== "object") return undefined;
  if (typeof e.registrytoken === "string" && e.registrytoken) return { registryToken: e.registrytoken };
  let username = typeof e.username === "string" ? e.username : undefined;
  let password = typeof e.password === "string" ? e.password : undefined;
  if (typeof e.auth === "string" && e.auth) {
    const decoded = Buffer.from(e.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) {
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1).replace(/\0+$/, "");
    }
  }
  const identityToken = typeof e.identitytoken === "string" && e.identitytoken ? e.identitytoken : undefined;
  if (identityToken) return { username, identityToken };
  if (username && password !== undefined) return { username, password };
  return undefined;
}

function podmanAuthFiles(env: Record<string, string | undefined>, home: string | undefined): string[] {
  const files: string[] = [];
  if (env.REGISTRY_AUTH_FILE) files.push(env.REGISTRY_AUTH_FILE);
  if (env.XDG_RUNTIME_DIR) files.push(join(env.XDG_RUNTIME_DIR, "containers", "auth.json"));
  const configHome = env.XDG_CONFIG_HOME || (home ? join(home, ".config") : undefined);
  if (configHome) files.push(join(configHome, "containers", "auth.json"));
  return files;
}

type HelperResult = { credential: Credential } | { problem: string };

/**
 * `docker-credential-<name> get` with the server on stdin; prints
 * `{"ServerURL","Username","Secret"}`. Any failure (not found, missing
 * program, timeout, bad output) means no credentials from this source;
 * its `problem` says which, for the error if the registry then refuses.
 * Username `<token>` marks Secret as an identity token (native_store.go).
 */
function runHelper(name: string, server: string, env: Record<string, string | undefined>, timeoutMs: number): Promise<HelperResult> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) return Promise.resolve({ problem: "not a valid helper name" });
  return new Promise((resolve) => {
    let out = "";
    let done = false;
    const finish = (r: HelperResult) => {
      if (!done) {
        done = true;
        resolve(r);
      }
    };
    let child;
    try {
      child = spawn(`docker-credential-${name}`, ["get"], { env, stdio: ["pipe", "pipe", "ignore"], timeout: timeoutMs });
    } catch {
      finish({ problem: "could not be run" });
      return;
    }
    child.on("error", (e: NodeJS.ErrnoException) => finish({ problem: e.code === "ENOENT" ? "not found on PATH" : "could not be run" }));
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (s: string) => {
      out += s;
      if (out.length > 64 * 1024) child.kill();
    });
    child.on("close", (code, signal) => {
      if (signal) return finish({ problem: signal === "SIGTERM" ? `gave no answer within ${timeoutMs / 1000} s` : `killed by ${signal}` });
      // Its output is not quoted: a helper may print a secret even when it fails.
      if (code !== 0) return finish({ problem: `has no credentials for ${server}` });
      try {
        const v = JSON.parse(out) as { Username?: unknown; Secret?: unknown };
        const user = typeof v.Username === "string" ? v.Username : "";
        const secret = typeof v.Secret === "string" ? v.Secret : "";
        if (!secret || !user) return finish({ problem: "answered with no secret" });
        finish({ credential: user === "<token>" ? { identityToken: secret } : { username: user, password: secret } });
      } catch {
        finish({ problem: "answered with no JSON" });
      }
    });
    child.stdin.on("error", () => {});
    child.stdin.end(server);
  });
}
