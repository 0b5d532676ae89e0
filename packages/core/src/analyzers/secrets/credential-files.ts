/**
 * Files whose name says "credentials" (by name). dockle reports
 * them by name alone; we report one only when its content holds a credential
 * (a non-empty password, token or auth field), or by name at medium when the
 * content could not be read (over the size cap).
 */
import { redact } from "./redact.js";
import type { SecretMatch } from "./secret-rules.js";
import { findUrlCredentials } from "./secret-rules.js";
import { isPlaceholder } from "./secret-keys.js";

export type CredentialFileKind =
  | "git-credentials"
  | "netrc"
  | "pgpass"
  | "pypirc"
  | "npmrc"
  | "docker-config"
  | "aws-credentials"
  | "kubeconfig"
  | "gcp-credentials"
  | "vault-token"
  | "s3cfg";

/** The kind of credential file a path names, if any. */
export function credentialFileKind(path: string, base: string): CredentialFileKind | undefined {
  switch (base) {
    case ".git-credentials":
      return "git-credentials";
    case ".netrc":
    case "_netrc":
      return "netrc";
    case ".pgpass":
      return "pgpass";
    case ".pypirc":
      return "pypirc";
    case ".npmrc":
      return "npmrc";
    case ".dockercfg":
      return "docker-config";
    case "credentials.json":
      return "gcp-credentials";
    case ".vault-token":
      return "vault-token";
    case ".s3cfg":
      return "s3cfg";
    case "kubeconfig":
      return "kubeconfig";
  }
  if (path.endsWith("/.docker/config.json")) return "docker-config";
  if (path.endsWith("/.aws/credentials")) return "aws-credentials";
  if (path.endsWith("/.kube/config")) return "kubeconfig";
  return undefined;
}

function literal(v: string | undefined, min = 1): v is string {
  return v !== undefined && v.length >= min && !isPlaceholder(v) && !v.includes("${");
}

function match(kind: CredentialFileKind, field: string, index: number, value: string): SecretMatch {
  return { ruleId: "secret-credential-file", rule: kind, key: field, index, redacted: redact(value) };
}

/** First field/value pair of `re` (groups: field, value) with a literal value. */
function firstField(kind: CredentialFileKind, text: string, re: RegExp, min = 1): SecretMatch | undefined {
  for (const m of text.matchAll(re)) {
    const field = m[1] ?? "";
    const value = (m[2] ?? "").replace(/^["']|["']$/g, "");
    if (literal(value, min)) return match(kind, field, m.index, value);
  }
  return undefined;
}

/** The credential that confirms a credential file, or undefined (empty or placeholder). */
export function confirmCredentialFile(kind: CredentialFileKind, text: string): SecretMatch | undefined {
  switch (kind) {
    case "git-credentials": {
      const u = findUrlCredentials(text)[0];
      return u && { ...u, ruleId: "secret-credential-file", rule: kind };
    }
    case "netrc":
      return firstField(kind, text, /(?:^|\s)(password|passwd)\s+(\S+)/g);
    case "pgpass":
      return pgpass(text);
    case "pypirc":
      return firstField(kind, text, /^[ \t]*(password)[ \t]*[=:][ \t]*(\S.*?)[ \t]*$/gm);
    case "npmrc":
      return firstField(kind, text, /(_authToken|_auth|_password)\s*=\s*(\S+)/g, 8);
    case "docker-config":
      return firstField(kind, text, /"(auth|identitytoken|registrytoken)"\s*:\s*"([^"]+)"/g, 4);
    case "aws-credentials":
      return firstField(kind, text, /^[ \t]*(aws_secret_access_key|aws_session_token)[ \t]*=[ \t]*(\S+)/gim, 16);
    case "kubeconfig":
      return firstField(kind, text, /^[ \t]*-?[ \t]*(token|client-key-data|password)[ \t]*:[ \t]*(\S+)/gm, 8);
    case "gcp-credentials":
      return firstField(kind, text, /"(private_key|client_secret|refresh_token)"\s*:\s*"([^"]+)"/g, 8);
    case "vault-token": {
      const t = text.trim();
      return /^[A-Za-z0-9._-]{20,}$/.test(t) && literal(t) ? match(kind, "token", 0, t) : undefined;
    }
    case "s3cfg":
      return firstField(kind, text, /^[ \t]*(secret_key|access_token)[ \t]*=[ \t]*(\S+)/gm, 8);
  }
}

/** hostname:port:database:username:password, `\:` escapes a colon (PostgreSQL docs, libpq-pgpass). */
function pgpass(text: string): SecretMatch | undefined {
  let index = 0;
  for (const line of text.split("\n")) {
    const at = index;
    index += line.length + 1;
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const fields = line.replace(/\\[:\\]/g, "x").split(":");
    const password = fields.slice(4).join(":").trim();
    if (fields.length >= 5 && literal(password)) return match("pgpass", "password", at, password);
  }
  return undefined;
}
