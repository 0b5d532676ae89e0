/** Rule documentation for the secret analyzers (the rule catalogue: SARIF rules, docs/rules.md). */
import type { Severity } from "../../finding.js";
import type { RuleInfo } from "../analyzer.js";
import { REF, type RuleReference } from "../../rules/references.js";

const ROTATE = "Rotate the secret now: anyone who can pull the image has it. ";
const BUILD_SECRETS =
  "Pass secrets at build time with `RUN --mount=type=secret` and at run time through the orchestrator's secret store, never through COPY, ENV or ARG.";

/** What every secret rule cites: the CIS item and dockle checkpoint on secrets, and CWE-798. */
const SECRET_REFS: readonly RuleReference[] = [REF.cisSecrets, REF.dockleSecrets, REF.cweHardcodedCredentials, REF.dockerBuildSecrets];

/** Matches secret-files.ts severityFor: world-readable (the usual 0644) is high, owner or group only is medium. */
const FILE_SEVERITY =
  " High when the file is world-readable, medium otherwise; high whatever its mode when a later layer deleted or " +
  "overwrote it, since the layer blob still ships it.";

function rule(
  id: string,
  title: string,
  help: string,
  more: { severity?: Severity; fix?: string; references?: readonly RuleReference[] } = {},
): RuleInfo {
  return {
    id,
    category: "secret",
    severity: more.severity ?? "high",
    title,
    help,
    fix: more.fix ?? ROTATE + BUILD_SECRETS,
    references: [...SECRET_REFS, ...(more.references ?? [])],
  };
}

function fileRule(id: string, title: string, help: string, references: readonly RuleReference[] = []): RuleInfo {
  return rule(id, title, help + FILE_SEVERITY, { references });
}

export const SECRET_FILE_RULES: readonly RuleInfo[] = [
  rule(
    "secret-private-key",
    "Private key in the image",
    "A PEM, OpenSSH, PGP or PuTTY private key block (a BEGIN line with a key body, not a string constant). " +
      "Critical when world-readable or readable by a non-root group, high otherwise; still shipped when a later layer deleted it.",
    { severity: "critical", references: [REF.cweCleartextStorage] },
  ),
  fileRule("secret-aws-access-key", "AWS access key", "An AWS access key id (AKIA/ASIA…) or a secret access key next to its name.", [REF.awsAccessKeys]),
  fileRule("secret-github-token", "GitHub token", "A GitHub personal access, OAuth, app or refresh token (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_).", [REF.githubTokenFormats]),
  fileRule("secret-gitlab-token", "GitLab token", "A GitLab personal access token (glpat-).", [REF.gitlabTokens]),
  fileRule("secret-slack-token", "Slack token or webhook", "A Slack API token (xoxb-, xoxp-…) or an incoming webhook URL.", [REF.slackTokens]),
  fileRule("secret-stripe-key", "Stripe live key", "A Stripe live secret or restricted key (sk_live_, rk_live_).", [REF.stripeKeys]),
  fileRule("secret-google-api-key", "Google API key", "A Google API key (AIza…).", [REF.googleApiKeys]),
  fileRule("secret-npm-token", "npm token", "An npm access token (npm_…).", [REF.npmTokens]),
  fileRule(
    "secret-url-credentials",
    "Credentials in a URL",
    "A URL with a literal user:password@ part. Placeholders, variable references and example hosts are ignored.",
    [REF.rfc3986UserInfo],
  ),
  fileRule(
    "secret-password-assignment",
    "Password or secret in a config file",
    "A KEY=value line in an env-style or config file (.env, .properties, .ini, .conf, .toml, YAML) whose key names " +
      "a secret and whose value is a literal, not a placeholder, variable or file path.",
  ),
  fileRule(
    "secret-credential-file",
    "Credential file",
    "A .git-credentials, .netrc, .pgpass, .pypirc, .npmrc, Docker config.json, .aws/credentials, kubeconfig, " +
      "credentials.json or .env file holding a credential (or too large to read, reported by name).",
  ),
  fileRule(
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
    { fix: ROTATE + "Set it at run time (`docker run -e`, a secret store) or point to a file (`*_FILE=/run/secrets/x`)." },
  ),
  rule(
    "secret-in-history",
    "Secret in the image history",
    "A build step's created_by (ENV, ARG, a RUN with build args, `export X=…`, a URL with user:password) holds " +
      "a secret. `docker history` shows it to anyone who can pull the image.",
  ),
];
