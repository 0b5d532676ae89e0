import { describe, expect, it } from "vitest";
import { runAnalyzer, type SpecEntry } from "../../testing/image-builder.js";
import type { Finding } from "../../finding.js";
import { createSecretFilesAnalyzer, secretFilesAnalyzer } from "./secret-files.js";
import { fake, pemBlock, windows } from "../../testing/secrets.js";

function scan(layers: SpecEntry[][]): Finding[] {
  return runAnalyzer(secretFilesAnalyzer, { layers });
}

function one(path: string, content: string, extra: Partial<SpecEntry> = {}): Finding[] {
  return scan([[{ path, content, ...extra }]]);
}

const ruleIds = (fs: Finding[]): string[] => fs.map((f) => f.ruleId).sort();

describe("secret files: content rules by file", () => {
  const cases: [string, string, string, string[]][] = [
    ["private key in .pem", "/app/server.pem", pemBlock(), ["secret-private-key"]],
    ["private key in .key", "/etc/ssl/private/site.key", pemBlock("PRIVATE KEY"), ["secret-private-key"]],
    ["cert + key bundle in .crt", "/app/bundle.crt", pemBlock("CERTIFICATE") + pemBlock("EC PRIVATE KEY"), ["secret-private-key"]],
    ["public cert .pem", "/etc/ssl/certs/ca.pem", pemBlock("CERTIFICATE") + pemBlock("CERTIFICATE"), []],
    ["public cert .crt", "/usr/local/share/ca-certificates/corp.crt", pemBlock("CERTIFICATE"), []],
    ["PEM marker in Python source", "/app/keys.py", 'RSA = "-----BEGIN RSA PRIVATE KEY-----"\n', []],
    ["id_ed25519", "/root/.ssh/id_ed25519", pemBlock("OPENSSH PRIVATE KEY"), ["secret-private-key"]],
    ["id_rsa.pub", "/root/.ssh/id_rsa.pub", "ssh-rsa AAAAB3NzaC1yc2E root@host\n", []],
    ["empty-ish id_rsa", "/root/.ssh/id_rsa", "placeholder\n", []],
    ["github token in a script", "/app/deploy.sh", `curl -H "x: ${fake.github()}" https://api.github.com\n`, ["secret-github-token"]],
    ["aws key id in yaml", "/app/config.yaml", `aws:\n  key: ${fake.awsKeyId()}\n`, ["secret-aws-access-key"]],
    ["gitlab in json", "/app/settings.json", `{"t": "${fake.gitlab()}"}`, ["secret-gitlab-token"]],
    ["slack in js", "/srv/bot.js", `const t = "${fake.slack()}";\n`, ["secret-slack-token"]],
    ["stripe in php", "/var/www/html/pay.php", `$k = '${fake.stripe()}';\n`, ["secret-stripe-key"]],
    ["google key in ts", "/app/maps.ts", `const k = "${fake.google()}";\n`, ["secret-google-api-key"]],
    ["npm token in .npmrc", "/root/.npmrc", `//registry.npmjs.org/:_authToken=${fake.npm()}\n`, ["secret-npm-token"]],
    ["npmrc with a variable", "/root/.npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n", []],
    ["url credentials in a .conf", "/etc/app/app.conf", "upstream = https://svc:Q7x9vLp2@api.corp.internal/v1\n", ["secret-url-credentials"]],
    [".env with a password", "/app/.env", "DB_HOST=db\nDB_PASSWORD=Q7x9vLp2w\n", ["secret-password-assignment"]],
    [".env.production", "/app/.env.production", "SECRET_KEY=Q7x9vLp2wZ\n", ["secret-password-assignment"]],
    [".env.example with placeholders", "/app/.env.example", "DB_PASSWORD=changeme\nAPI_KEY=your-api-key\nSECRET=\n", []],
    [".env.example even with realistic values", "/app/.env.example", "DB_PASSWORD=Q7x9vLp2w\n", []],
    ["password assignment in Python source", "/app/settings.py", 'PASSWORD = "Q7x9vLp2w"\n', []],
    ["password in my.cnf", "/root/.my.cnf", "[client]\npassword=Q7x9vLp2w\n", ["secret-password-assignment"]],
    [".git-credentials", "/root/.git-credentials", "https://bob:Q7x9vLp2w@git.corp.io\n", ["secret-credential-file"]],
    [".netrc", "/root/.netrc", "machine api.corp.io login bob password Q7x9vLp2w\n", ["secret-credential-file"]],
    [".netrc without password", "/root/.netrc", "machine api.corp.io login bob\n", []],
    [".pgpass", "/root/.pgpass", "# comment\ndb:5432:*:app:Q7x9vLp2w\n", ["secret-credential-file"]],
    [".pgpass empty password", "/root/.pgpass", "db:5432:*:app:\n", []],
    ["aws credentials, session token only", "/root/.aws/credentials", "[default]\naws_session_token = IQoJb3JpZ2luX2VjEQ7x9vLp2w\n", ["secret-credential-file"]],
    [".pypirc", "/root/.pypirc", "[pypi]\nusername = __token__\npassword = pypi-Q7x9vLp2wQ7x9vLp2w\n", ["secret-credential-file"]],
    ["docker config with auth", "/root/.docker/config.json", '{"auths":{"r.io":{"auth":"Ym9iOlE3eDl2THAydw=="}}}', ["secret-credential-file"]],
    ["docker config with credsStore", "/root/.docker/config.json", '{"auths":{"r.io":{}},"credsStore":"desktop"}', []],
    ["aws credentials", "/root/.aws/credentials", `[default]\naws_access_key_id = ${fake.awsKeyId()}\naws_secret_access_key = ${fake.awsSecret()}\n`, ["secret-aws-access-key"]],
    ["kubeconfig with token", "/root/.kube/config", "users:\n- name: u\n  user:\n    token: eyJhbGciOiJSUzI1NiJ9.Q7x9vLp2w\n", ["secret-credential-file"]],
    ["kubeconfig exec plugin", "/root/.kube/config", "users:\n- name: u\n  user:\n    exec:\n      command: aws\n", []],
    ["service account credentials.json", "/app/credentials.json", JSON.stringify({ type: "service_account", private_key: pemBlock("PRIVATE KEY") }), ["secret-private-key"]],
    ["token in bash history", "/root/.bash_history", `export GH=${fake.github()}\nls\n`, ["secret-github-token"]],
  ];
  it.each(cases)("%s", (_n, path, content, expected) => {
    expect(ruleIds(one(path, content, { mode: 0o600 }))).toEqual([...expected].sort());
  });

  it("ignores package trees, whatever they hold", () => {
    const key = pemBlock();
    const fs = scan([
      [
        { path: "/usr/lib/python3/dist-packages/paramiko/test_rsa.key", content: key },
        { path: "/usr/share/doc/openssl/demo.pem", content: key },
        { path: "/usr/lib/go-1.19/src/crypto/tls/testdata/key.pem", content: key },
        { path: "/app/node_modules/agent-base/test/ssl-key.pem", content: key },
        { path: "/usr/local/lib/python3.12/site-packages/x/.env", content: "SECRET_KEY=Q7x9vLp2w\n" },
        { path: "/usr/share/nginx/html/.env", content: "SECRET_KEY=Q7x9vLp2w\n" },
      ],
    ]);
    expect(fs.map((f) => f.path)).toEqual(["/usr/share/nginx/html/.env"]);
  });

  it("reports keystores by name, without reading them", () => {
    const a = createSecretFilesAnalyzer();
    expect(a.wantsContent?.({ path: "/app/keystore.p12", type: "file", mode: 0o644, uid: 0, gid: 0, size: 10, layer: 0 })).toBe(0);
    const fs = scan([[{ path: "/app/keystore.p12", content: new Uint8Array([0x30, 0x82, 0, 1]) }, { path: "/app/trust.jks", content: "x" }]]);
    expect(fs.map((f) => [f.ruleId, f.path, f.evidence?.["byName"]])).toEqual([
      ["secret-keystore", "/app/keystore.p12", true],
      ["secret-keystore", "/app/trust.jks", true],
    ]);
  });

  it("dedupes per path and rule, with a count and the first line", () => {
    const text = `# keys\nA=${fake.github()}\nB=${fake.github("s")}\nC=${fake.githubPat()}\n`;
    const [f, ...rest] = one("/app/tokens.sh", text);
    expect(rest).toEqual([]);
    expect(f?.evidence).toMatchObject({ rule: "github-token", line: 2, redacted: "ghp_…", count: 3, rules: ["github-token", "github-fine-grained-pat"] });
  });

  it("skips binary files", () => {
    const bin = Buffer.concat([Buffer.from("\x7fELF\0\0"), Buffer.from(pemBlock())]);
    expect(one("/app/blob.key", bin as unknown as string)).toEqual([]);
  });
});

describe("secret files: size cap", () => {
  const small = createSecretFilesAnalyzer({ maxFileBytes: 1024 });
  const big = "# padding\n".repeat(200) + pemBlock();

  it("does not read files over the cap", () => {
    expect(small.wantsContent?.({ path: "/app/big.pem", type: "file", mode: 0o644, uid: 0, gid: 0, size: big.length, layer: 0 })).toBe(0);
    expect(runAnalyzer(small, { layers: [[{ path: "/app/big.pem", content: big }]] })).toEqual([]);
  });

  it("reports strong names by name at medium when too big to read", () => {
    const fs = runAnalyzer(small, {
      layers: [[{ path: "/root/.ssh/id_rsa", content: big, mode: 0o600 }, { path: "/app/.env", content: "A=1\n".repeat(400) }]],
    });
    expect(fs.map((f) => [f.ruleId, f.severity, f.evidence?.["byName"]])).toEqual([
      ["secret-credential-file", "medium", true],
      ["secret-private-key", "medium", true],
    ]);
  });

  it("reads few files: the prefilter dismisses code, docs and binaries outside app trees", () => {
    const want = (path: string) => secretFilesAnalyzer.wantsContent?.({ path, type: "file", mode: 0o644, uid: 0, gid: 0, size: 100, layer: 0 });
    for (const p of ["/usr/bin/python3", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/share/doc/bash/README", "/usr/share/zoneinfo/UTC", "/usr/lib/python3.11/ssl.py", "/etc/ld.so.cache", "/app/logo.png", "/var/lib/dpkg/status"]) {
      expect([p, want(p)]).toEqual([p, 0]);
    }
    for (const p of ["/app/.env", "/etc/mysql/my.cnf", "/root/.ssh/id_rsa", "/app/config.yaml", "/usr/src/app/index.js", "/app/.git/config"]) {
      expect([p, want(p)]).toEqual([p, 1024 * 1024]);
    }
  });
});

describe("secret files: permissions", () => {
  const key = pemBlock();
  const cases: [string, SpecEntry[], string, string][] = [
    ["world-readable key", [{ path: "/app/", mode: 0o755 }, { path: "/app/id_rsa", content: key, mode: 0o644 }], "critical", "world"],
    ["0600 key", [{ path: "/app/id_rsa", content: key, mode: 0o600 }], "high", "owner"],
    [
      "0644 key under a 0700 directory",
      [{ path: "/root/", mode: 0o700 }, { path: "/root/.ssh/", mode: 0o755 }, { path: "/root/.ssh/id_rsa", content: key, mode: 0o644 }],
      "high",
      "owner",
    ],
    ["group-readable, non-root group", [{ path: "/home/app/key.pem", content: key, mode: 0o640, uid: 1000, gid: 1000 }], "critical", "group"],
    ["group-readable, root group", [{ path: "/etc/app/key.pem", content: key, mode: 0o640, uid: 0, gid: 0 }], "high", "group"],
    ["implied parents count as 0755", [{ path: "/srv/a/b/key.pem", content: key, mode: 0o604 }], "critical", "world"],
  ];
  it.each(cases)("%s", (_n, layer, severity, readableBy) => {
    const [f] = scan([layer]);
    expect(f?.severity).toBe(severity);
    expect(f?.evidence?.["readableBy"]).toBe(readableBy);
  });

  it("gives mode and owner", () => {
    const [f] = one("/home/app/key.pem", key, { mode: 0o640, uid: 1000, gid: 50 });
    expect(f?.evidence).toMatchObject({ mode: "0640", owner: "1000:50", readableBy: "group" });
  });

  it("other secrets: high when world-readable, else medium", () => {
    expect(one("/app/.env", "API_KEY=Q7x9vLp2wZ\n", { mode: 0o644 })[0]?.severity).toBe("high");
    expect(one("/app/.env", "API_KEY=Q7x9vLp2wZ\n", { mode: 0o600 })[0]?.severity).toBe("medium");
  });
});

describe("secret files: shadowed secrets", () => {
  it("reports a whited-out key with the layer that ships it", () => {
    const fs = scan([
      [{ path: "/root/", mode: 0o700 }, { path: "/root/.ssh/", mode: 0o700 }, { path: "/root/.ssh/id_ed25519", content: pemBlock("OPENSSH PRIVATE KEY"), mode: 0o600 }],
      [{ path: "/root/.ssh/.wh.id_ed25519", content: "" }],
    ]);
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({
      ruleId: "secret-private-key",
      severity: "high",
      layer: 0,
      inFinalImage: false,
      path: "/root/.ssh/id_ed25519",
      evidence: { hiddenBy: 1, hiddenHow: "whiteout" },
    });
    expect(fs[0]?.message).toContain("deleted in layer 1");
    expect(fs[0]?.message).toContain("layer 0");
  });

  it("keeps critical for a world-readable shadowed key", () => {
    const fs = scan([[{ path: "/app/k.pem", content: pemBlock() }], [{ path: "/app/k.pem", content: "gone\n" }]]);
    expect(fs.map((f) => [f.inFinalImage, f.severity, f.layer])).toEqual([[false, "critical", 0]]);
  });

  it("raises a shadowed medium to high", () => {
    const fs = scan([[{ path: "/app/.env", content: "API_KEY=Q7x9vLp2wZ\n", mode: 0o600 }], [{ path: "/app/.wh..env", content: "" }]]);
    expect(fs.map((f) => [f.inFinalImage, f.severity])).toEqual([[false, "high"]]);
  });

  it("is not fooled by a deleted public cert", () => {
    expect(scan([[{ path: "/app/ca.pem", content: pemBlock("CERTIFICATE") }], [{ path: "/app/.wh.ca.pem", content: "" }]])).toEqual([]);
  });
});

describe("secret files: identity through the merge (ctx.origin)", () => {
  it("finds a secret written through a symlinked parent, at the path it lands on", () => {
    const token = fake.github();
    const fs = scan([
      [{ path: "/app/" }, { path: "/a", type: "symlink", link: "/app" }],
      [{ path: "/a/deploy.sh", content: `T=${token}\n`, mode: 0o644 }],
    ]);
    expect(fs.map((f) => [f.ruleId, f.path, f.layer])).toEqual([["secret-github-token", "/app/deploy.sh", 1]]);
  });

  it("a hardlink whose data name was deleted still shows the data's matches", () => {
    const fs = scan([
      [{ path: "/app/" }, { path: "/app/k.pem", content: pemBlock(), mode: 0o600 }, { path: "/app/copy.pem", type: "hardlink", link: "/app/k.pem", mode: 0o600 }],
      [{ path: "/app/.wh.k.pem", content: "" }],
    ]);
    const final = fs.filter((f) => f.inFinalImage);
    expect(final.map((f) => [f.ruleId, f.path])).toEqual([["secret-private-key", "/app/copy.pem"]]);
  });
});

describe("secret files: never a raw secret", () => {
  it("evidence and messages hold at most 4 characters of any planted secret", () => {
    const planted = {
      aws: fake.awsKeyId(),
      awsSecret: fake.awsSecret(),
      gh: fake.github(),
      pat: fake.githubPat(),
      gl: fake.gitlab(),
      slack: fake.slack(),
      stripe: fake.stripe(),
      google: fake.google(),
      npm: fake.npm(),
      pw: fake.password(),
      urlpw: fake.password(),
      netrc: fake.password(),
    };
    const key = pemBlock();
    const body = key.split("\n")[1]!;
    const fs = scan([
      [
        { path: "/app/all.sh", content: `${planted.aws}\naws_secret_access_key=${planted.awsSecret}\n${planted.gh}\n${planted.pat}\n${planted.gl}\n${planted.slack}\n${planted.stripe}\n${planted.google}\n${planted.npm}\nx https://svc:${planted.urlpw}@h.corp.io\n` },
        { path: "/app/.env", content: `DB_PASSWORD=${planted.pw}\n` },
        { path: "/root/.netrc", content: `machine m login l password ${planted.netrc}\n` },
        { path: "/app/k.pem", content: key },
      ],
    ]);
    expect(fs).toHaveLength(11); // 8 rules in all.sh, .env, .netrc, k.pem
    const json = JSON.stringify(fs);
    for (const secret of [...Object.values(planted), body]) {
      for (const w of windows(secret)) expect(json).not.toContain(w);
    }
  });
});

describe("secret files: streamed content and per-scan state", () => {
  const entry = (path: string, layer = 0) => ({ path, type: "file" as const, mode: 0o644, uid: 0, gid: 0, size: 100, layer });

  it("keeps matches, never the bytes or the secret", () => {
    const token = fake.github();
    const state = secretFilesAnalyzer.createState!();
    // State is keyed by the walk-time entry object (ctx.origin finds it again), not by path.
    const deploy = entry("/app/deploy.sh", 2);
    const clean = entry("/app/clean.sh", 2);
    secretFilesAnalyzer.onContent!(deploy, Buffer.from(`echo\nT=${token}\n`), state);
    secretFilesAnalyzer.onContent!(clean, Buffer.from("echo hi\n"), state);
    const keys = [...state.scanned.keys()];
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(deploy);
    expect(keys[1]).toBe(clean);
    expect(state.scanned.get(clean)).toEqual([]);
    const dump = JSON.stringify([...state.scanned.values()]);
    expect(dump).not.toContain(token);
    expect(state.scanned.get(deploy)).toEqual([
      { ruleId: "secret-github-token", evidence: { rule: "github-token", line: 2, redacted: "ghp_…", count: 1 } },
    ]);
  });

  it("gives every scan a fresh state: nothing leaks from one run to the next", () => {
    const a = secretFilesAnalyzer.createState!();
    const b = secretFilesAnalyzer.createState!();
    expect(a).not.toBe(b);
    secretFilesAnalyzer.onContent!(entry("/app/deploy.sh"), Buffer.from(`T=${fake.github()}\n`), a);
    expect(b.scanned.size).toBe(0);
    const layers: SpecEntry[][] = [[{ path: "/app/deploy.sh", content: `T=${fake.github()}\n` }]];
    expect(ruleIds(scan(layers))).toEqual(["secret-github-token"]);
    expect(ruleIds(scan([[{ path: "/app/deploy.sh", content: "echo hi\n" }]]))).toEqual([]);
  });
});

