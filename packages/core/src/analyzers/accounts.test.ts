import { describe, expect, it } from "vitest";
import { runAnalyzer, type SpecEntry } from "../testing/image-builder.js";
import { accountsAnalyzer } from "./accounts.js";

const PASSWD = "root:x:0:0:root:/root:/bin/sh\nbin:x:1:1:bin:/bin:/sbin/nologin\napp:x:1000:1000::/home/app:/bin/sh\n";
const passwd = (content: string): SpecEntry => ({ path: "/etc/passwd", content });
const shadow = (content: string, mode = 0o640): SpecEntry => ({ path: "/etc/shadow", content, mode });

function rules(layers: SpecEntry[][]): string[] {
  return runAnalyzer(accountsAnalyzer, { layers }).map((f) => `${f.ruleId}:${String(f.evidence?.["account"] ?? "")}`);
}

describe("accountsAnalyzer: /etc/shadow passwords", () => {
  it.each<[string, string[]]>([
    ["root:::0:::::\n", ["shadow-empty-password:root"]], // Alpine CVE-2019-5021
    ["root::19000:0:99999:7:::\napp::19000::::::\n", ["shadow-empty-password:root", "shadow-empty-password:app"]],
    ["root:!::0:::::\n", []],
    ["root:*:19000:0:99999:7:::\n", []],
    ["root:!!:19000::::::\n", []],
    ["root:!*:19000::::::\n", []],
    ["root:!$6$salt$hash:19000::::::\n", []],
    ["root:$6$salt$hash:19000:0:99999:7:::\n", []],
    ["# root::\n\n", []],
  ])("%j → %j", (content, expected) => {
    expect(rules([[passwd(PASSWD), shadow(content)]])).toEqual(expected);
  });

  it("is critical, with path, layer and the account's uid and shell", () => {
    const [f] = runAnalyzer(accountsAnalyzer, { layers: [[passwd(PASSWD)], [shadow("root:::0:::::\n")]] });
    expect(f).toEqual({
      ruleId: "shadow-empty-password",
      category: "account",
      severity: "critical",
      message: 'account "root" has an empty password in /etc/shadow',
      path: "/etc/shadow",
      layer: 1,
      inFinalImage: true,
      evidence: { account: "root", line: 1, uid: 0, shell: "/bin/sh" },
    });
  });

  it("only the final shadow counts: a later fix hides the empty field", () => {
    expect(rules([[shadow("root:::0:::::\n")], [shadow("root:!::0:::::\n")]])).toEqual([]);
    expect(rules([[shadow("root:!::0:::::\n")], [shadow("root:::0:::::\n")]])).toEqual(["shadow-empty-password:root"]);
  });

  it("a deleted shadow is not checked", () => {
    expect(rules([[shadow("root:::0:::::\n", 0o644)], [{ path: "/etc/.wh.shadow" }]])).toEqual([]);
  });
});

describe("accountsAnalyzer: /etc/passwd", () => {
  it.each<[string, string[]]>([
    ["root:x:0:0::/root:/bin/sh\n", []],
    ["root::0:0::/root:/bin/sh\n", ["passwd-empty-password:root"]],
    ["root:*:0:0::/root:/bin/sh\nguest::1001:1001::/:/bin/sh\n", ["passwd-empty-password:guest"]],
    ["root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\n", ["duplicate-uid0:toor"]],
    ["root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/:/bin/sh\nadmin:x:00:0::/:/bin/sh\n", ["duplicate-uid0:toor", "duplicate-uid0:admin"]],
    // root listed after the extra account: root stays the primary
    ["toor:x:0:0::/root:/bin/sh\nroot:x:0:0::/root:/bin/sh\n", ["duplicate-uid0:toor"]],
    // no "root" at all: the first uid-0 account is the primary
    ["admin:x:0:0::/:/bin/sh\nops:x:0:0::/:/bin/sh\n", ["duplicate-uid0:ops"]],
    // a non-numeric uid is not a uid-0 account to glibc
    ["root:x:0:0::/root:/bin/sh\nbroken:x:abc:0::/:/bin/sh\n", []],
    ["root:x:0:0::/root:/bin/sh\napp:x:1000:0::/:/bin/sh\n", []],
  ])("%j → %j", (content, expected) => {
    expect(rules([[passwd(content)]])).toEqual(expected);
  });

  it("an empty passwd field is reported whatever shadow says (shadow is read only for 'x')", () => {
    const layers = [[passwd("root::0:0::/root:/bin/sh\n"), shadow("root:$6$salt$hash:19000::::::\n")]];
    expect(rules(layers)).toEqual(["passwd-empty-password:root"]);
  });

  it("duplicate-uid0 is high, names the primary, carries path and layer", () => {
    const [f] = runAnalyzer(accountsAnalyzer, {
      layers: [[passwd(PASSWD)], [passwd("root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\n")]],
    });
    expect(f).toMatchObject({
      ruleId: "duplicate-uid0",
      severity: "high",
      path: "/etc/passwd",
      layer: 1,
      inFinalImage: true,
      evidence: { account: "toor", uid: 0, primary: "root", line: 2 },
    });
  });

  it("a deleted passwd is not checked", () => {
    expect(rules([[passwd("root::0:0::/:/bin/sh\ntoor:x:0:0::/:/bin/sh\n")], [{ path: "/etc/.wh.passwd" }]])).toEqual([]);
  });
});

describe("accountsAnalyzer: shadow permissions", () => {
  it.each<[number, boolean]>([
    [0o640, false],
    [0o600, false],
    [0o000, false],
    [0o644, true],
    [0o604, true],
    [0o666, true],
  ])("mode %o → world-readable %s", (mode, hit) => {
    const findings = runAnalyzer(accountsAnalyzer, { layers: [[shadow("root:!::0:::::\n", mode)]] });
    expect(findings.map((f) => f.ruleId)).toEqual(hit ? ["shadow-world-readable"] : []);
    if (hit) {
      expect(findings[0]).toMatchObject({ category: "account", severity: "high", path: "/etc/shadow", layer: 0 });
      expect(findings[0]!.evidence).toMatchObject({ octal: mode.toString(8).padStart(4, "0") });
    }
  });

  it("follows /etc/shadow through a symlink and reports the real file", () => {
    const layers = [
      [
        { path: "/var/lib/shadow", content: "root:!::0:::::\n", mode: 0o644 },
        { path: "/etc/shadow", type: "symlink" as const, link: "../var/lib/shadow" },
      ],
    ];
    const findings = runAnalyzer(accountsAnalyzer, { layers });
    expect(findings).toMatchObject([{ ruleId: "shadow-world-readable", path: "/var/lib/shadow" }]);
  });
});

describe("accountsAnalyzer: clean images", () => {
  it("no account files → nothing", () => {
    expect(runAnalyzer(accountsAnalyzer, { layers: [[{ path: "/app", content: "bin" }]] })).toEqual([]);
  });

  it("a normal Debian-like pair → nothing", () => {
    expect(rules([[passwd(PASSWD), shadow("root:*:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\napp:!:19000::::::\n")]])).toEqual([]);
  });
});
