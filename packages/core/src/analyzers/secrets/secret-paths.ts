/**
 * Which files the secret scan looks at, decided from the path alone: the
 * wantsContent prefilter runs for every file of every layer, and all
 * analyzers must stay close to a metadata-only walk, so most files must be
 * dismissed here without a byte read.
 *
 * Skipped trees are where packages put code, docs and test data: the false
 * positives of peers live there (Python/Perl/Go test keys, docs quoting
 * "password=…"), secrets written by a Dockerfile do not. Application roots
 * (/app, /srv, /opt, /home, /root, /etc, /usr/local/bin, /usr/src/app,
 * /var/www, /usr/share/nginx/html, /tmp…) are read.
 */
import { basename } from "../../paths.js";
import type { AssignmentStyle } from "./assignments.js";
import { credentialFileKind, type CredentialFileKind } from "./credential-files.js";

export interface FilePlan {
  /** Read the content and run the content rules. */
  read: boolean;
  /** Env-style file: also look for KEY=value secrets. */
  assignments?: AssignmentStyle | undefined;
  credentialKind?: CredentialFileKind | undefined;
  /** An SSH private key's name (id_rsa, ssh_host_ed25519_key). */
  sshKeyName: boolean;
  /** A keystore (.p12, .jks…): binary, reported by name. */
  keystore: boolean;
}

/** Top-level and /usr trees owned by packages or the kernel. */
const SKIP_PREFIXES = [
  "/proc/",
  "/sys/",
  "/dev/",
  "/boot/",
  "/bin/",
  "/sbin/",
  "/lib/",
  "/lib32/",
  "/lib64/",
  "/libx32/",
  "/usr/bin/",
  "/usr/sbin/",
  "/usr/lib/",
  "/usr/lib32/",
  "/usr/lib64/",
  "/usr/libx32/",
  "/usr/libexec/",
  "/usr/include/",
  "/usr/games/",
  "/usr/src/linux",
  "/usr/src/kernels/",
  "/usr/local/lib/",
  "/usr/local/lib64/",
  "/usr/local/include/",
  "/usr/local/share/",
  "/usr/local/go/",
  "/usr/local/cargo/registry/",
  "/usr/local/rustup/",
  "/usr/local/bundle/",
  "/var/lib/dpkg/",
  "/var/lib/apt/",
  "/var/lib/rpm/",
  "/var/lib/yum/",
  "/var/lib/dnf/",
  "/var/lib/ucf/",
  "/var/lib/pam/",
  "/var/lib/systemd/",
  "/var/lib/gems/",
  "/var/cache/",
  "/var/log/",
  "/nix/store/",
  "/snap/",
  "/etc/ssl/certs/java/",
];

/** /usr/share is package data, except web roots users deploy into. */
const USR_SHARE_KEEP = ["/usr/share/nginx/", "/usr/share/caddy/", "/usr/share/httpd/"];

/** Dependency, VCS and cache directories at any depth. */
const SKIP_DIRS = new Set([
  "node_modules",
  "bower_components",
  "jspm_packages",
  "site-packages",
  "dist-packages",
  "vendor",
  "__pycache__",
  ".git",
  ".svn",
  ".hg",
  ".cache",
  ".npm",
  ".yarn",
  ".pnpm-store",
  ".rustup",
  ".pyenv",
  ".rbenv",
  ".nvm",
  ".sdkman",
  "testdata",
  "conda-meta",
]);

/** Sub-paths of otherwise-read dot dirs that are package caches. */
const SKIP_INFIXES = ["/.m2/repository/", "/.gradle/caches/", "/.cargo/registry/", "/.cargo/git/", "/go/pkg/mod/", "/.local/lib/"];

/** Text formats where configuration, scripts and keys live. */
const TEXT_EXTS = new Set([
  "env",
  "conf",
  "cfg",
  "cnf",
  "ini",
  "config",
  "yaml",
  "yml",
  "json",
  "properties",
  "toml",
  "xml",
  "sh",
  "bash",
  "zsh",
  "ksh",
  "py",
  "js",
  "mjs",
  "cjs",
  "ts",
  "rb",
  "php",
  "go",
  "java",
  "kt",
  "groovy",
  "gradle",
  "pl",
  "ps1",
  "tf",
  "tfvars",
  "hcl",
  "pem",
  "key",
  "crt",
  "cer",
  "ppk",
  "asc",
]);

const KEYSTORE_EXTS = new Set(["p12", "pfx", "jks", "jceks", "keystore", "bks"]);

/** Dotfiles that hold commands and credentials without an extension. */
const TEXT_NAMES = new Set([
  ".bash_history",
  ".zsh_history",
  ".sh_history",
  ".ash_history",
  ".psql_history",
  ".mysql_history",
  ".python_history",
  ".node_repl_history",
  ".bashrc",
  ".bash_profile",
  ".profile",
  ".zshrc",
  ".gitconfig",
  ".boto",
  ".terraformrc",
  "Dockerfile",
]);

const SSH_KEY_NAME = /^(?:id_(?:rsa|dsa|ecdsa|ed25519|xmss)(?:_sk)?|ssh_host_[a-z0-9]+_key|.+_(?:rsa|dsa|ecdsa|ed25519))$/;
/** Files in ~/.ssh that are not private keys. */
const SSH_PUBLIC = /^(?:known_hosts.*|authorized_keys2?|config|environment|rc|.*\.pub)$/;

const ASSIGNMENT_EXT: Record<string, AssignmentStyle> = {
  env: "env",
  properties: "ini",
  ini: "ini",
  cfg: "ini",
  cnf: "ini",
  conf: "ini",
  toml: "ini",
  yaml: "yaml",
  yml: "yaml",
};

/**
 * A file whose NAME says it holds a secret (db-password.txt, api_token,
 * aws-credentials.cfg, app.secret): its assignments are looked for whatever
 * its extension. One test of the base name, so the prefilter stays cheap.
 */
const SECRET_NAME = /pass(?:word|wd)|secret|credential|token/i;

/** .env.example, config.sample.ini, app.yml.dist: documentation of a secret, not one. */
const EXAMPLE_NAME = /[._-](?:example|sample|template|tmpl|tpl|dist|default|defaults|orig)(?:[._-]|$)/i;

/** Directory verdicts: read, skipped, or skipped only by a `.git` component. */
const READ = 0;
const SKIP = 1;
const SKIP_GIT_ONLY = 2;
type DirVerdict = typeof READ | typeof SKIP | typeof SKIP_GIT_ONLY;

/**
 * SKIP_PREFIXES by first path component, so a path is checked against the
 * few prefixes of its own top-level tree. Prefixes that end in "/" are
 * decided by the directory alone; the others ("/usr/src/linux") match
 * file names too, so they are checked on the whole path.
 */
const DIR_PREFIXES = new Map<string, string[]>();
const NAME_PREFIXES: string[] = [];
for (const p of SKIP_PREFIXES) {
  if (!p.endsWith("/")) {
    NAME_PREFIXES.push(p);
    continue;
  }
  const first = p.slice(1, p.indexOf("/", 1));
  const list = DIR_PREFIXES.get(first);
  if (list === undefined) DIR_PREFIXES.set(first, [p]);
  else list.push(p);
}

/** `dir` ends with "/" ("/" for the root). Every rule but the .git/config exception depends on it alone. */
function dirVerdict(dir: string): DirVerdict {
  const s = dir.indexOf("/", 1);
  if (s < 0) return READ;
  const prefixes = DIR_PREFIXES.get(dir.slice(1, s));
  if (prefixes !== undefined) for (const p of prefixes) if (dir.startsWith(p)) return SKIP;
  if (dir.startsWith("/usr/share/") && !USR_SHARE_KEEP.some((k) => dir.startsWith(k))) return SKIP;
  for (const i of SKIP_INFIXES) if (dir.includes(i)) return SKIP;
  let verdict: DirVerdict = READ;
  let start = 1;
  for (let slash = dir.indexOf("/", start); slash >= 0; slash = dir.indexOf("/", start)) {
    const name = dir.slice(start, slash);
    if (SKIP_DIRS.has(name)) {
      if (name !== ".git") return SKIP;
      verdict = SKIP_GIT_ONLY;
    }
    start = slash + 1;
  }
  return verdict;
}

/**
 * A one-entry memo of the last directory: files come grouped by directory
 * (tar order during the walk, path order in finish()), so most calls reuse
 * it. Module-level, but only a cache of a pure function: sharing it between
 * concurrent scans costs hits, never correctness.
 */
let lastDir = "/";
let lastVerdict: DirVerdict = READ;

function isSkippedTree(path: string): boolean {
  for (const p of NAME_PREFIXES) if (path.startsWith(p)) return true;
  const cut = path.lastIndexOf("/") + 1;
  let verdict: DirVerdict;
  if (cut === lastDir.length && path.startsWith(lastDir)) verdict = lastVerdict;
  else {
    lastDir = path.slice(0, cut);
    verdict = lastVerdict = dirVerdict(lastDir);
  }
  // Directory components (not the basename); ".git/config" stays (remote URLs with credentials).
  return verdict === SKIP || (verdict === SKIP_GIT_ONLY && !path.endsWith("/.git/config"));
}

const NOTHING: FilePlan = { read: false, sshKeyName: false, keystore: false };

/** What to do with a regular file at `path`; `read: false` and no flags means ignore it. */
export function planFor(path: string): FilePlan {
  if (isSkippedTree(path)) return NOTHING;
  const base = basename(path);
  const dot = base.lastIndexOf(".");
  const ext = dot > 0 ? base.slice(dot + 1).toLowerCase() : "";
  if (KEYSTORE_EXTS.has(ext)) return { read: false, sshKeyName: false, keystore: true };
  const credentialKind = credentialFileKind(path, base);
  const sshKeyName = SSH_KEY_NAME.test(base) && !base.endsWith(".pub");
  const inSshDir = path.includes("/.ssh/") && !SSH_PUBLIC.test(base);
  let assignments: AssignmentStyle | undefined;
  if (base === ".env" || base.startsWith(".env.") || ext === "env") assignments = "env";
  else assignments = ASSIGNMENT_EXT[ext];
  // Source code (.py, .js…) is left to the token rules: `password = input()` is no secret.
  // Known credential files (~/.aws/credentials…) have their own parser.
  if (assignments === undefined && credentialKind === undefined && !TEXT_EXTS.has(ext) && SECRET_NAME.test(base)) assignments = "ini";
  if (assignments !== undefined && EXAMPLE_NAME.test(base)) assignments = undefined;
  const read =
    credentialKind !== undefined ||
    sshKeyName ||
    inSshDir ||
    assignments !== undefined ||
    TEXT_EXTS.has(ext) ||
    TEXT_NAMES.has(base) ||
    base.startsWith(".env") ||
    path.endsWith("/.git/config");
  return { read, assignments, credentialKind, sshKeyName, keystore: false };
}

/** Env files are credential files by name too: a .env over the cap is reported by name. */
export function isEnvFileName(base: string): boolean {
  return (base === ".env" || (base.startsWith(".env.") && !EXAMPLE_NAME.test(base)));
}
