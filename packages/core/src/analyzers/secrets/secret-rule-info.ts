/** Rule documentation for the secret analyzers (SARIF rules, README rule list). */
import type { RuleInfo } from "../analyzer.js";

const ROTATE = "Rotate the secret now: anyone who can pull the image has it. ";
const BUILD_SECRETS =
  "Pass secrets at build time with `RUN --mount=type=secret` and at run time through the orchestrator's secret store, never through COPY, ENV or ARG.";

function rule(id: string, title: string, help: string, fix = ROTATE + BUILD_SECRETS): RuleInfo {
  return { id, category: "secret", title, help, fix };
}

export const SECRET_FILE_RULES: readonly RuleInfo[] = [
  rule(
    "secret-private-key",
    "Private key in the image",
    "A PEM, OpenSSH, PGP or PuTTY private key block (a BEGIN line with a key body, not a string constant). " +
      "Critical when world-readable or readable by a non-root group; still shipped when a later layer deleted it.",
  ),
  rule("secret-aws-access-key", "AWS access key", "An AWS access key id (AKIA/ASIA…) or a secret access key next to its name."),
  rule("secret-github-token", "GitHub token", "A GitHub personal access, OAuth, app or refresh token (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)."),
  rule("secret-gitlab-token", "GitLab token", "A GitLab personal access token (glpat-)."),
  rule("secret-slack-token", "Slack token or webhook", "A Slack API token (xoxb-, xoxp-…) or an incoming webhook URL."),
  rule("secret-stripe-key", "Stripe live key", "A Stripe live secret or restricted key (sk_live_, rk_live_)."),
  rule("secret-google-api-key", "Google API key", "A Google API key (AIza…)."),
  rule("secret-npm-token", "npm token", "An npm access token (npm_…)."),
  rule(
    "secret-url-credentials",
    "Credentials in a URL",
    "A URL with a literal user:password@ part. Placeholders, variable references and example hosts are ignored.",
  ),
  rule(
    "secret-password-assignment",
    "Password or secret in a config file",
    "A KEY=value line in an env-style or config file (.env, .properties, .ini, .conf, .toml, YAML) whose key names " +
      "a secret and whose value is a literal, not a placeholder, variable or file path.",
  ),
  rule(
    "secret-credential-file",
    "Credential file",
    "A .git-credentials, .netrc, .pgpass, .pypirc, .npmrc, Docker config.json, .aws/credentials, kubeconfig, " +
      "credentials.json or .env file holding a credential (or too large to read, reported by name).",
  ),
  rule(
    "secret-keystore",
    "Keystore file",
    "A PKCS#12 or Java keystore (.p12, .pfx, .jks, .keystore), reported by name: it usually holds a private key.",
  ),
];

export const SECRET_CONFIG_RULES: readonly RuleInfo[] = [
  rule(
    "secret-env",
    "Secret in the image's ENV",
    "config.Env holds a variable whose name says secret (PASSWORD, TOKEN, SECRET, API_KEY…) with a literal value, " +
      "or whose value is a known token format. Every container and `docker inspect` shows it.",
    ROTATE + "Set it at run time (`docker run -e`, a secret store) or point to a file (`*_FILE=/run/secrets/x`).",
  ),
  rule(
    "secret-in-history",
    "Secret in the image history",
    "A build step's created_by (ENV, ARG, a RUN with build args, `export X=…`, a URL with user:password) holds " +
      "a secret. `docker history` shows it to anyone who can pull the image.",
    ROTATE + BUILD_SECRETS,
  ),
];
