import { describe, expect, it } from "vitest";
import { redactText } from "./redact-text.js";
import { SECRET_FLAG_NAMES, secretConfigAnalyzer } from "./analyzers/secrets/secret-config.js";
import { runAnalyzer } from "./testing/image-builder.js";

// Each planted secret must not survive; the harmless parts must.
const cases: [string, string, string][] = [
  ["URL password", "git clone https://bob:Pa55w0rdX@git.example.com/x.git", "Pa55w0rdX"],
  ["curl -u", "curl -u bob:Pa55word https://x", "Pa55word"],
  ["Authorization header", "curl -H 'Authorization: Bearer abcdefSECRETtoken' https://x", "abcdefSECRETtoken"],
  ["mysql -p", "mysql -uroot -pMyS3cretPass db", "MyS3cretPass"],
  ["docker login", "echo Hunter2Secret | docker login -u me --password-stdin", "Hunter2Secret"],
  ["JSON password", `{"password":"hunter2pw"}`, "hunter2pw"],
  ["--password=", "X=--password=s3cr3tpw", "s3cr3tpw"],
  ["ENV pair", "ENV DB_PASSWORD=hunter22", "hunter22"],
  ["token word", "ARG T=ghp_J7M0Ke5LsSDTRLiyhzlqaRmKWMjlEtz8rwBi", "J7M0Ke5LsSDTRLiyhzlqaRmKWMjlEtz8rwBi"],
  // Flags and forms the secret-config detector reports (they used to print raw).
  ["--access-token", "RUN deploy --access-token s3cr3tTok", "s3cr3tTok"],
  ["--client-secret", "RUN oidc login --client-secret Q7x9vLp2wX", "Q7x9vLp2wX"],
  ["--auth-token", "RUN cli --auth-token Q7x9vLp2wX", "Q7x9vLp2wX"],
  ["curl -u glued", "RUN curl -ubob:Pa55word https://x", "Pa55word"],
  ["quoted flag value with spaces", `RUN tool --password "correct horse battery" x`, "horse battery"],
];

describe("redactText", () => {
  it.each(cases)("masks %s", (_name, text, secret) => {
    const out = redactText(text);
    expect(out).not.toContain(secret);
    expect(out).not.toContain(secret.slice(0, 5));
  });

  it("keeps harmless commands, paths, digests and variable references", () => {
    for (const s of [
      "/bin/sh -c apt-get install -y curl wget python3",
      "COPY file:4b03b5f551e3fbdf47ec6097120073278aa0c1b9ea0fb8e7e3b2b2b5a2a1c3d4 in /usr/share/app",
      "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin",
      "ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D",
      "RUN mkdir -p /app && echo $DB_PASSWORD",
      "curl -u bob:$PASSWORD https://x",
    ]) {
      expect(redactText(s)).toBe(s);
    }
  });

  it("masks every command secret the history detector reports", () => {
    const texts = [
      ...SECRET_FLAG_NAMES.flatMap((f) => [`RUN tool --${f} Q7x9vLp2wX`, `RUN tool --${f}=Q7x9vLp2wX`, `RUN tool --${f} "Q7x9 vLp2wX"`]),
      "RUN curl -ubob:Q7x9vLp2wX https://x",
      'RUN curl -u "bob:Q7x9vLp2wX" https://x',
      "RUN curl --user bob:Q7x9vLp2wX https://x",
      "RUN curl -H 'X-API-Key: Q7x9vLp2wX' https://x",
    ];
    for (const createdBy of texts) {
      const fs = runAnalyzer(secretConfigAnalyzer, { layers: [[]], history: [{ created_by: createdBy }] });
      expect(fs.map((f) => f.ruleId), createdBy).toEqual(["secret-in-history"]);
      const out = redactText(createdBy);
      expect(out, createdBy).not.toContain("Q7x9vLp2wX");
      expect(out, createdBy).not.toContain("vLp2wX");
    }
  });
});
