import { describe, expect, it } from "vitest";
import { findSecrets, findTokens, findUrlCredentials } from "./secret-rules.js";
import { findPrivateKeys } from "./private-keys.js";
import { findAssignments } from "./assignments.js";
import { isSecretKeyName, isLiteralSecret, isPlaceholder } from "./secret-keys.js";
import { redact } from "./redact.js";
import { fake, pemBlock, randomString } from "../../testing/secrets.js";

describe("findTokens", () => {
  const positives: [string, string, string][] = [
    ["aws key id", `aws_access_key_id = ${fake.awsKeyId()}`, "aws-access-key-id"],
    ["aws secret in context", `aws_secret_access_key = ${fake.awsSecret()}`, "aws-secret-access-key"],
    ["aws secret, env style", `AWS_SECRET_ACCESS_KEY="${fake.awsSecret()}"`, "aws-secret-access-key"],
    ["github ghp_", `token: ${fake.github("p")}`, "github-token"],
    ["github gho_", fake.github("o"), "github-token"],
    ["github ghu_", fake.github("u"), "github-token"],
    ["github ghs_", `x=${fake.github("s")};`, "github-token"],
    ["github ghr_", fake.github("r"), "github-token"],
    ["github fine-grained", fake.githubPat(), "github-fine-grained-pat"],
    ["gitlab", `GITLAB=${fake.gitlab()}`, "gitlab-pat"],
    ["slack", `"${fake.slack()}"`, "slack-token"],
    ["stripe", `STRIPE=${fake.stripe()}`, "stripe-live-key"],
    ["google", `key=${fake.google()}&`, "google-api-key"],
    ["npm", `//registry.npmjs.org/:_authToken=${fake.npm()}`, "npm-token"],
  ];
  it.each(positives)("finds %s", (_name, text, rule) => {
    const m = findTokens(text);
    expect(m.map((x) => x.rule)).toContain(rule);
    for (const x of m) expect(x.redacted.replace("…", "").length).toBeLessThanOrEqual(4);
  });

  const negatives: [string, string][] = [
    ["aws docs example", "AKIAIOSFODNN7EXAMPLE"],
    ["aws key id inside a longer word", `X${fake.awsKeyId()}`],
    ["aws secret without context", fake.awsSecret()],
    ["aws docs secret", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
    ["github placeholder", "ghp_" + "x".repeat(36)],
    ["github too short", "ghp_" + randomString(20)],
    ["github inside identifier", "my_ghp_" + randomString(36)],
    ["stripe test key", "sk_" + "test_" + randomString(24)],
    ["stripe placeholder", "sk_live_" + "0".repeat(24)],
    ["google short", "AIza" + randomString(20)],
    ["npm config var", "npm_config_cache=/tmp/npm"],
    ["slack without numbers", "xoxb-not-a-token-at-all"],
    ["token-like run in a certificate body", "MIIB" + randomString(30, "abc") + "/AIza" + randomString(35) + "\n"],
    ["plain prose", "set your GitHub token (ghp_...) in the TOKEN variable"],
  ];
  it.each(negatives)("ignores %s", (_name, text) => {
    expect(findTokens(text)).toEqual([]);
  });
});

describe("findPrivateKeys", () => {
  const cases: [string, string, number][] = [
    ["RSA PEM", pemBlock("RSA PRIVATE KEY"), 1],
    ["EC PEM", pemBlock("EC PRIVATE KEY"), 1],
    ["DSA PEM", pemBlock("DSA PRIVATE KEY"), 1],
    ["PKCS#8", pemBlock("PRIVATE KEY"), 1],
    ["encrypted PKCS#8", pemBlock("ENCRYPTED PRIVATE KEY"), 1],
    ["OpenSSH", pemBlock("OPENSSH PRIVATE KEY"), 1],
    ["PGP", pemBlock("PGP PRIVATE KEY BLOCK"), 1],
    ["two keys", pemBlock() + pemBlock("EC PRIVATE KEY"), 2],
    ["cut short, no END line", pemBlock().split("\n").slice(0, 4).join("\n"), 1],
    ["PEM inside a JSON string", JSON.stringify({ private_key: pemBlock("PRIVATE KEY") }), 1],
    ["public certificate", pemBlock("CERTIFICATE"), 0],
    ["public key", pemBlock("PUBLIC KEY"), 0],
    ["marker as a Python constant", 'HEADER = "-----BEGIN RSA PRIVATE KEY-----"\nif line == HEADER:\n    parse()\n', 0],
    [
      "both markers as constants, code between",
      'BEGIN = "-----BEGIN RSA PRIVATE KEY-----"\nEND = "-----END RSA PRIVATE KEY-----"\n',
      0,
    ],
    ["docs with an elided body", "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n", 0],
  ];
  it.each(cases)("%s → %i", (_n, text, count) => {
    const m = findPrivateKeys(text);
    expect(m).toHaveLength(count);
    for (const x of m) expect(x.redacted).toMatch(/^-----BEGIN [A-Z ]+-----$/);
  });

  it("marks encrypted keys", () => {
    expect(findPrivateKeys(pemBlock("ENCRYPTED PRIVATE KEY"))[0]?.encrypted).toBe(true);
    expect(findPrivateKeys(pemBlock())[0]?.encrypted).toBe(false);
    const legacy = pemBlock().replace("-----\n", "-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0011\n\n");
    expect(findPrivateKeys(legacy)[0]?.encrypted).toBe(true);
  });

  it("finds PuTTY keys", () => {
    const ppk = `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: x\nPublic-Lines: 2\n${randomString(64)}\nPrivate-Lines: 1\n${randomString(64)}\n`;
    expect(findPrivateKeys(ppk).map((m) => m.rule)).toEqual(["putty-private-key"]);
  });
});

describe("findUrlCredentials", () => {
  const cases: [string, string, boolean][] = [
    ["https with password", "https://deploy:Tr0ub4dor3x@git.internal.corp/repo.git", true],
    ["postgres", "DATABASE_URL=postgres://app:q9Zx7vLp@db:5432/app", true],
    ["no password", "https://user@github.com/x", false],
    ["no credentials", "https://deb.debian.org/debian", false],
    ["placeholder user:password", "postgres://user:password@localhost/db", false],
    ["variables", "https://${USER}:${PASS}@host.corp/x", false],
    ["shell variable", "https://oauth2:$TOKEN@gitlab.corp/x", false],
    ["angle placeholders", "mysql://<user>:<password>@db/x", false],
    ["masked", "redis://default:******@cache:6379", false],
    ["example host", "ftp://bob:Tr0ub4dor3x@ftp.example.com/", false],
    ["same user and password", "amqp://guest:guest@rabbit:5672/", false],
    ["port, not password", "http://localhost:8080@x", false],
    ["format string", "%s://%s:%s@%s", false],
  ];
  it.each(cases)("%s", (_n, text, found) => {
    expect(findUrlCredentials(text).length > 0).toBe(found);
  });

  it("redacts user and password", () => {
    const [m] = findUrlCredentials("https://deploy:Tr0ub4dor3x@git.internal.corp/r");
    expect(m?.redacted).toBe("https://d…:Tr…@git.internal.corp");
  });
});

describe("findAssignments", () => {
  const cases: [string, string, "env" | "ini" | "yaml", string[]][] = [
    ["env password", "DB_PASSWORD=hunter2hunter\n", "env", ["DB_PASSWORD"]],
    ["export and quotes", 'export API_KEY="q9Zx7vLpWw"\n', "env", ["API_KEY"]],
    ["inline comment", "SECRET_KEY=q9Zx7vLpWw # prod\n", "env", ["SECRET_KEY"]],
    ["variable reference", "DB_PASSWORD=${DB_PASSWORD}\nTOKEN=$TOKEN\n", "env", []],
    ["empty", "DB_PASSWORD=\nSECRET=''\n", "env", []],
    ["placeholder", "DB_PASSWORD=changeme\nAPI_KEY=your-api-key-here\nSECRET_KEY=<secret>\n", "env", []],
    ["too short", "DB_PASS=abc\n", "env", []],
    ["path to a secret", "DB_PASSWORD_FILE=/run/secrets/db\nSSL_KEY=/etc/ssl/private/k.pem\n", "env", []],
    ["not a secret name", "PASSWORD_MIN_LENGTH=12345678\nTOKEN_TTL=36000000\nDB_USER=administrator\n", "env", []],
    ["comment", "# DB_PASSWORD=hunter2hunter\n", "env", []],
    ["ini", "[client]\nuser = app\npassword = q9Zx7vLpWw\n", "ini", ["password"]],
    ["properties", "spring.datasource.password=q9Zx7vLpWw\n", "ini", ["spring.datasource.password"]],
    ["yaml", "db:\n  password: q9Zx7vLp2w\n", "yaml", ["password"]],
    ["yaml label", "labels:\n  password: Passwort\n  token: Token eingeben\n", "yaml", []],
    ["yaml variable", "password: ${DB_PASSWORD}\n", "yaml", []],
    ["gpg fingerprint", "GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D\n", "env", []],
    ["public key name", "RECAPTCHA_PUBLIC_KEY=6LdAAAAAAAAAAAAAAAAAAAAAAAAAA1234\n", "env", []],
    // Lines from Debian bookworm's /etc/ssl/openssl.cnf and /etc/dcmtk/*.cfg (false positives once).
    ["openssl prompt label", "challengePassword\t\t= A challenge password\n", "ini", []],
    ["openssl demo pass: source", "secret = pass:insta # can be used for both client and server side\n", "ini", []],
    ["openssl variable", "secret = $insta::secret # pass:insta\n", "ini", []],
    ["openssl disabled", "secret = # disable PBM\n", "ini", []],
    ["openssl env: source", "secret = env:CMP_SECRET\n", "ini", []],
    ["file name value", "PrivateKey = sitekey.pem\n", "ini", []],
    ["wireguard key", "[Interface]\nPrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n", "ini", ["PrivateKey"]],
  ];
  it.each(cases)("%s", (_n, text, style, keys) => {
    const m = findAssignments(text, style);
    expect(m.map((x) => x.key)).toEqual(keys);
  });
});

describe("key names and values", () => {
  it.each([
    ["DB_PASSWORD", true],
    ["dbPassword", true],
    ["MYSQL_ROOT_PASS", true],
    ["GITHUB_TOKEN", true],
    ["API_KEY", true],
    ["APIKEY", true],
    ["APP_KEY", true],
    ["AWS_SECRET_ACCESS_KEY", true],
    ["CLIENT_SECRET", true],
    ["GOOGLE_APPLICATION_CREDENTIALS", true],
    ["GPG_KEY", false],
    ["GPG_KEYS", false],
    ["NEXT_PUBLIC_API_KEY", false],
    ["AWS_ACCESS_KEY_ID", false],
    ["PASSWORD_FILE", false],
    ["BYPASS", false],
    ["PWD", false],
    ["KEY", false],
    ["MONKEY", false],
    ["CSRF_TOKEN", false],
    ["TOKEN_TTL", false],
    ["SECRET_KEY_BASE", true],
    ["SECRET_KEY_FALLBACKS", true],
    ["KEY_BASE", false],
  ])("%s → %s", (key, secret) => {
    expect(isSecretKeyName(key)).toBe(secret);
  });

  it.each(["", "changeme", "${X}", "$X", "<password>", "******", "xxxxxx", "your_password", "{{ .Values.pw }}", "%(pw)s", "ENC(abc)"])(
    "placeholder %j",
    (v) => {
      expect(isPlaceholder(v)).toBe(true);
      expect(isLiteralSecret(v)).toBe(false);
    },
  );

  it("redacts to at most 4 characters, fewer for short values", () => {
    expect(redact("ghp_" + "a".repeat(36), 4)).toBe("ghp_…");
    expect(redact("s3cret")).toBe("s…");
    expect(redact("abc")).toBe("…");
    expect(redact("a".repeat(100))).toBe("aaaa…");
    expect(redact("ab", 4)).toBe("a…");
  });
});

describe("findSecrets", () => {
  it("skips files without any keyword", () => {
    expect(findSecrets("password = hunter2\nnothing here\n")).toEqual([]);
  });
});
