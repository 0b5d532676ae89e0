import { describe, expect, it } from "vitest";
import { runAnalyzer } from "../../testing/image-builder.js";
import type { HistoryEntry } from "../../types.js";
import type { Finding } from "../../finding.js";
import { secretConfigAnalyzer } from "./secret-config.js";
import { fake, windows } from "../../testing/secrets.js";

function env(...vars: string[]): Finding[] {
  return runAnalyzer(secretConfigAnalyzer, { layers: [[]], config: { Env: vars } });
}

function history(entries: HistoryEntry[], layers = 1, Env: string[] = []): Finding[] {
  return runAnalyzer(secretConfigAnalyzer, {
    layers: Array.from({ length: layers }, () => []),
    config: { Env },
    history: entries,
  });
}

describe("secret-config: config.Env", () => {
  const gh = fake.github();
  const cases: [string, string, string | undefined][] = [
    ["token by value", `API_TOKEN=${gh}`, "github-token"],
    ["token under an innocent key", `FOO=${fake.npm()}`, "npm-token"],
    ["aws key id by value", `AWS_ACCESS_KEY_ID=${fake.awsKeyId()}`, "aws-access-key-id"],
    ["password by key", "POSTGRES_PASSWORD=Q7x9vLp2w", "secret-assignment"],
    ["URL credentials", "DATABASE_URL=postgres://app:Q7x9vLp2w@db/app", "url-credentials"],
    ["GPG_KEY", "GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D", undefined],
    ["GPG_KEYS list", "GPG_KEYS=1729F83938DA44E27BA0F4D3DBDB397470D12172 BFDDD28642824F8118EF77909B67A5C12229118F", undefined],
    ["*_FILE path", "POSTGRES_PASSWORD_FILE=/run/secrets/pg", undefined],
    ["variable reference", "DB_PASSWORD=${DB_PASSWORD}", undefined],
    ["empty", "MYSQL_ROOT_PASSWORD=", undefined],
    ["PATH", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin", undefined],
    ["version", "PYTHON_VERSION=3.12.1", undefined],
    ["URL without credentials", "PYTHON_GET_PIP_URL=https://github.com/pypa/get-pip/raw/x/public/get-pip.py", undefined],
    ["sha256", "PYTHON_SHA256=" + "ab".repeat(32), undefined],
    ["public key", "NEXT_PUBLIC_API_KEY=pk_Q7x9vLp2wQ7x9", undefined],
    ["key id", "AWS_ACCESS_KEY_ID=notanawskey", undefined],
    ["boolean", "DISABLE_AUTH_TOKEN=true", undefined],
  ];
  it.each(cases)("%s", (_n, kv, rule) => {
    const fs = env(kv);
    expect(fs.map((f) => f.evidence?.["rule"])).toEqual(rule === undefined ? [] : [rule]);
    for (const f of fs) {
      expect(f).toMatchObject({ ruleId: "secret-env", category: "secret", severity: "high", layer: null, inFinalImage: true });
      expect(f.evidence?.["key"]).toBe(kv.slice(0, kv.indexOf("=")));
    }
  });

  it("never prints the value", () => {
    const gh2 = fake.github();
    const json = JSON.stringify(env(`API_TOKEN=${gh2}`, "DB_PASSWORD=Q7x9vLp2wXY"));
    for (const s of [gh2, "Q7x9vLp2wXY"]) for (const w of windows(s)) expect(json).not.toContain(w);
  });
});

describe("secret-config: history", () => {
  const gh = fake.github();
  const cases: [string, string, string[]][] = [
    ["BuildKit ARG default", `ARG GITHUB_TOKEN=${gh}`, ["github-token"]],
    ["BuildKit RUN with build args", `RUN |1 GITHUB_TOKEN=${fake.github()} /bin/sh -c make`, ["github-token"]],
    ["classic RUN with build args", `|2 NPM_TOKEN=Q7x9vLp2wQ7x9 X=1 /bin/sh -c npm ci`, ["secret-assignment"]],
    ["URL credentials in RUN", "RUN /bin/sh -c curl -fsSL https://user:s3cret@host.corp.io/x | sh", ["url-credentials"]],
    ["inline export", "/bin/sh -c export DB_PASSWORD=Q7x9vLp2w && ./migrate", ["secret-assignment"]],
    ["classic ENV", "/bin/sh -c #(nop)  ENV API_SECRET=Q7x9vLp2w", ["secret-assignment"]],
    ["classic ENV, space form", "/bin/sh -c #(nop)  ENV API_SECRET Q7x9vLp2w", ["secret-assignment"]],
    ["curl -u", "RUN /bin/sh -c curl -u deploy:Q7x9vLp2w https://artifacts.corp.io/x", ["cli-user-password"]],
    ["auth header", 'RUN /bin/sh -c curl -H "Authorization: Bearer Q7x9vLp2wQ7x9vLp2w" https://api.corp.io', ["authorization-header"]],
    ["--password flag", "RUN /bin/sh -c mc alias set s3 https://s3 admin --password=Q7x9vLp2w", ["cli-flag"]],
    ["plain install", "RUN /bin/sh -c apt-get install -y python3", []],
    ["ARG without a default", "ARG GITHUB_TOKEN", []],
    ["ARG with a variable", "RUN |1 GITHUB_TOKEN=${GITHUB_TOKEN} /bin/sh -c make", []],
    ["GPG_KEY ENV", "ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D", []],
    ["docker login via stdin", 'RUN /bin/sh -c echo "$PW" | docker login --password-stdin -u bob r.io', []],
    ["PATH", "ENV PATH=/usr/local/bin:/usr/bin", []],
    ["secret mount", "RUN /bin/sh -c --mount=type=secret,id=npmrc npm ci # buildkit", []],
  ];
  it.each(cases)("%s", (_n, createdBy, rules) => {
    const fs = history([{ created_by: createdBy }]);
    expect(fs.map((f) => f.evidence?.["rule"])).toEqual(rules);
    for (const f of fs) expect(f).toMatchObject({ ruleId: "secret-in-history", severity: "high", inFinalImage: true, evidence: { historyIndex: 0 } });
  });

  it("keeps the key a token sits in", () => {
    const [f] = history([{ created_by: `ARG GITHUB_TOKEN=${fake.github()}` }]);
    expect(f?.evidence).toMatchObject({ key: "GITHUB_TOKEN", redacted: "ghp_…" });
  });

  it("attributes layers: empty_layer steps get null, the others consume layers in order", () => {
    const fs = history(
      [
        { created_by: "ADD rootfs.tar / # buildkit" },
        { created_by: `ARG GITHUB_TOKEN=${fake.github()}`, empty_layer: true },
        { created_by: `RUN |1 GITHUB_TOKEN=${fake.github()} /bin/sh -c make` },
        { created_by: "RUN /bin/sh -c curl https://user:s3cret@host.corp.io/x" },
      ],
      3,
    );
    expect(fs.map((f) => [f.evidence?.["historyIndex"], f.layer])).toEqual([
      [1, null],
      [2, 1],
      [3, 2],
    ]);
  });

  it("reports an ENV still in config.Env once, as secret-env", () => {
    const kv = `API_TOKEN=${fake.github()}`;
    const fs = history([{ created_by: `ENV ${kv}`, empty_layer: true }], 1, [kv]);
    expect(fs.map((f) => f.ruleId)).toEqual(["secret-env"]);
  });

  it("still reports an ENV that a later ENV replaced", () => {
    const old = `API_TOKEN=${fake.github()}`;
    const fs = history(
      [
        { created_by: `ENV ${old}`, empty_layer: true },
        { created_by: "ENV API_TOKEN=", empty_layer: true },
      ],
      1,
      ["API_TOKEN="],
    );
    expect(fs.map((f) => [f.ruleId, f.evidence?.["historyIndex"]])).toEqual([["secret-in-history", 0]]);
  });

  it("never prints the value", () => {
    const gh2 = fake.github();
    const json = JSON.stringify(history([{ created_by: `ARG T=${gh2}` }, { created_by: "RUN curl https://u:Q7x9vLp2wXY@h.corp.io" }], 2));
    for (const s of [gh2, "Q7x9vLp2wXY"]) for (const w of windows(s)) expect(json).not.toContain(w);
  });
});
