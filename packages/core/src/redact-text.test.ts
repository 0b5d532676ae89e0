import { describe, expect, it } from "vitest";
import { redactText } from "./redact-text.js";

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
});
