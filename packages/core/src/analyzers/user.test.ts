import { describe, expect, it } from "vitest";
import { runAnalyzer, type SpecEntry } from "../testing/image-builder.js";
import { effectiveUser, userAnalyzer } from "./user.js";
import { parsePasswdBytes } from "./passwd.js";
import { resolveUser, type PasswdSource } from "./user-resolvers.js";

const parsed = (text: string, complete = true): PasswdSource => ({ kind: "parsed", file: parsePasswdBytes(Buffer.from(text), complete) });
const MISSING: PasswdSource = { kind: "missing" };

const PASSWD = parsed(
  [
    "root:x:0:0:root:/root:/bin/sh",
    "daemon:x:1:1::/usr/sbin:/usr/sbin/nologin",
    "app:x:1000:1000::/home/app:/bin/sh",
    "toor:x:0:0::/root:/bin/sh",
    "dup:x:2000:2000::/:/bin/sh",
    "dup:x:0:0::/:/bin/sh",
  ].join("\n"),
);

describe("effectiveUser: every resolver, root if any gives uid 0", () => {
  it.each<[string, boolean, number | undefined, string | undefined]>([
    // [config.User, isRoot, uid, name]
    ["", true, 0, undefined],
    ["root", true, 0, "root"],
    ["0", true, 0, undefined],
    ["0:0", true, 0, undefined],
    ["root:root", true, 0, "root"],
    ["1000", false, 1000, undefined],
    ["app", false, 1000, "app"],
    ["toor", true, 0, "toor"],
    ["0:100", true, 0, undefined],
    ["root:staff", true, 0, "root"],
    ["nobody", false, undefined, undefined],
    ["65532:65532", false, 65532, undefined],
  ])("%j → root %s, uid %s", (user, isRoot, uid, name) => {
    const eu = effectiveUser(user, PASSWD);
    expect(eu.isRoot).toBe(isRoot);
    expect(eu.uid).toBe(uid);
    expect(eu.name).toBe(name);
    expect(eu.reason).not.toBe("");
  });

  it("a numeric user is a uid even with no passwd at all", () => {
    expect(effectiveUser("1000", MISSING)).toMatchObject({ uid: 1000, isRoot: false });
    expect(effectiveUser("0", MISSING)).toMatchObject({ uid: 0, isRoot: true });
  });

  it("the empty user is root without a passwd; the name root is not (every runtime refuses to start)", () => {
    expect(effectiveUser("", MISSING).isRoot).toBe(true);
    expect(effectiveUser(":1000", MISSING)).toMatchObject({ uid: 0, isRoot: true });
    expect(effectiveUser("root", MISSING)).toMatchObject({ uid: undefined, isRoot: false, undetermined: false });
    expect(effectiveUser("app", MISSING).reason).toContain("not in /etc/passwd");
  });

  it("first match wins, duplicates included", () => {
    expect(effectiveUser("dup", PASSWD)).toMatchObject({ uid: 2000, isRoot: false });
    expect(effectiveUser("dup", parsed("dup:x:0:0::/:/bin/sh\ndup:x:5:5::/:/bin/sh"))).toMatchObject({ uid: 0, isRoot: true });
  });

  it("a #root line is a user named #root, not a comment", () => {
    const src = parsed("#toor:x:0:0::/:/bin/sh\ntoor:x:5:5::/:/bin/sh\n");
    expect(effectiveUser("toor", src)).toMatchObject({ uid: 5, isRoot: false });
    expect(effectiveUser("#toor", src)).toMatchObject({ uid: 0, isRoot: true });
  });

  it("U+0085 around a line is trimmed (Go), U+FEFF is not", () => {
    expect(effectiveUser("a", parsed("\u0085a:x:0:0\u0085\n")).isRoot).toBe(true);
    expect(effectiveUser("a", parsed("\ufeffa:x:0:0\n"))).toMatchObject({ isRoot: false, uid: undefined });
    expect(effectiveUser("\ufeffa", parsed("\ufeffa:x:0:0\n")).isRoot).toBe(true);
  });

  it("reads numbers as Go's Atoi does: 00 and +0 are uid 0", () => {
    expect(effectiveUser("00", PASSWD).isRoot).toBe(true);
    expect(effectiveUser("+0:0", PASSWD).isRoot).toBe(true);
    expect(effectiveUser("a", parsed("a:x:+0:0\n")).isRoot).toBe(true);
    expect(effectiveUser("a", parsed("a:x: 7:0\n")).isRoot).toBe(true); // " 7" is a syntax error: 0
  });

  it("an out-of-range passwd uid wraps with uint32() in every runtime", () => {
    expect(effectiveUser("a", parsed("a:x:4294967296:0\n")).isRoot).toBe(true);
    expect(effectiveUser("a", parsed("a:x:-99999999999999999999:0\n")).isRoot).toBe(true); // clamps to MinInt64
    expect(effectiveUser("a", parsed("a:x:99999999999999999999:0\n"))).toMatchObject({ isRoot: false, uid: 4294967295 });
  });
});

describe("resolvers disagree on numeric users", () => {
  const none = parsed("root:x:0:0::/:/bin/sh\n");
  it.each<[string, string, string, string]>([
    // [User, moby, containerd-wrap, containerd-name]
    ["4294967296", "fails", "uid 0", "fails"],
    ["-1", "fails", "uid 4294967295", "fails"],
    ["2147483648", "fails", "uid 2147483648", "fails"],
    ["2147483647", "uid 2147483647", "uid 2147483647", "uid 2147483647"],
    ["-4294967296", "fails", "uid 0", "fails"],
    ["99999999999999999999", "fails", "fails", "fails"], // Atoi range error: a name in all three
  ])("%j: moby %s, containerd-wrap %s, containerd-name %s", (user, moby, wrap, name) => {
    const show = (r: ReturnType<typeof resolveUser>) => (r.outcome === "uid" ? `uid ${r.uid}` : r.outcome);
    expect(show(resolveUser("moby", user, none))).toBe(moby);
    expect(show(resolveUser("containerd-wrap", user, none))).toBe(wrap);
    expect(show(resolveUser("containerd-name", user, none))).toBe(name);
  });

  it("containerd before the CVE-2024-40635 fix makes 4294967296 root; the message says which", () => {
    const eu = effectiveUser("4294967296", MISSING);
    expect(eu.isRoot).toBe(true);
    expect(eu.reason).toContain("containerd before the CVE-2024-40635 fix");
    expect(eu.reason).not.toContain("docker");
  });

  it("newer containerd looks an out-of-range user up as a name", () => {
    const src = parsed("-1:x:0:0::/:/bin/sh\n2147483648:x:0:0::/:/bin/sh\n");
    expect(resolveUser("containerd-name", "-1", src)).toMatchObject({ outcome: "uid", uid: 0 });
    expect(resolveUser("containerd-name", "2147483648", src)).toMatchObject({ outcome: "uid", uid: 0 });
    expect(resolveUser("moby", "2147483648", src)).toMatchObject({ outcome: "fails" });
    const eu = effectiveUser("2147483648", src);
    expect(eu.isRoot).toBe(true);
    expect(eu.reason).toContain("out-of-range uid looked up as a name");
  });

  it("moby matches an out-of-range numeric user against passwd uids, then wraps it", () => {
    const src = parsed("x:x:4294967296:0\n");
    expect(resolveUser("moby", "4294967296", src)).toMatchObject({ outcome: "uid", uid: 0 });
    expect(resolveUser("moby", "4294967296", parsed("x:x:5:0\n"))).toMatchObject({ outcome: "fails" });
  });

  it("a name of digits that Atoi rejects as out of range is looked up as a name by all", () => {
    const src = parsed("99999999999999999999:x:0:0\n");
    for (const r of ["moby", "containerd-wrap", "containerd-name"] as const) {
      expect(resolveUser(r, "99999999999999999999", src)).toMatchObject({ outcome: "uid", uid: 0 });
    }
  });

  it("containerd rejects a User with two colons; moby reads the first two fields", () => {
    expect(resolveUser("containerd-name", "root:root:x", PASSWD)).toMatchObject({ outcome: "fails" });
    expect(resolveUser("moby", "root:root:x", PASSWD)).toMatchObject({ outcome: "uid", uid: 0 });
  });
});

describe("incomplete passwd content", () => {
  const big = `app:x:1000:1000::/:/bin/sh\n${"z".repeat(70000)}\ntoor:x:0:0::/:/bin/sh\n`;

  it("a name before an over-long line is certain; after it, undetermined", () => {
    const src = parsed(big);
    expect(effectiveUser("app", src)).toMatchObject({ isRoot: false, undetermined: false, uid: 1000 });
    const eu = effectiveUser("toor", src);
    expect(eu).toMatchObject({ isRoot: false, undetermined: true, uid: undefined });
    expect(eu.reason).toContain("longer than 64 KiB");
  });

  it("a truncated capture: a match in the captured lines stands, none is undetermined", () => {
    const src = parsed("app:x:1000:1000::/:/bin/sh\nto", false);
    expect(effectiveUser("app", src)).toMatchObject({ undetermined: false, uid: 1000 });
    expect(effectiveUser("toor", src)).toMatchObject({ undetermined: true });
    expect(effectiveUser("toor", parsed("toor:x:0:0\nab", false)).isRoot).toBe(true);
  });

  it("not captured: names undetermined; numeric and empty users still decided", () => {
    const src: PasswdSource = { kind: "unreadable", why: "was not captured" };
    expect(effectiveUser("app", src)).toMatchObject({ undetermined: true, isRoot: false });
    expect(effectiveUser("1000", src)).toMatchObject({ undetermined: false, uid: 1000 });
    expect(effectiveUser("", src)).toMatchObject({ isRoot: true });
    // moby needs passwd for an out-of-range number, containerd-wrap already says root.
    expect(effectiveUser("4294967296", src).isRoot).toBe(true);
    expect(effectiveUser("2147483648", src)).toMatchObject({ undetermined: true });
  });
});

const passwdFile = (content: string): SpecEntry => ({ path: "/etc/passwd", content });
const ROOT_AND_TOOR = "root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n";

describe("userAnalyzer", () => {
  it.each<[string, string | undefined, string[]]>([
    // [config.User, passwd content (undefined: none), ruleIds]
    ["", ROOT_AND_TOOR, ["root-user"]],
    ["root", ROOT_AND_TOOR, ["root-user"]],
    ["0:0", ROOT_AND_TOOR, ["root-user"]],
    ["toor", ROOT_AND_TOOR, ["root-user"]],
    ["app", ROOT_AND_TOOR, []],
    ["1000", ROOT_AND_TOOR, []],
    ["65532:65532", undefined, []],
    ["nobody", ROOT_AND_TOOR, ["user-unknown"]],
    ["app", undefined, ["user-unknown"]],
    ["99999999999", ROOT_AND_TOOR, ["user-unknown"]],
    ["4294967296", ROOT_AND_TOOR, ["root-user"]],
  ])("User %j → %j", (user, passwd, rules) => {
    const layer = passwd === undefined ? [{ path: "/app", content: "x" }] : [passwdFile(passwd)];
    const findings = runAnalyzer(userAnalyzer, { layers: [layer], config: { User: user } });
    expect(findings.map((f) => f.ruleId)).toEqual(rules);
    for (const f of findings) expect(f).toMatchObject({ category: "user", layer: null, inFinalImage: true });
  });

  it("a missing config User means root", () => {
    const findings = runAnalyzer(userAnalyzer, { layers: [[passwdFile(ROOT_AND_TOOR)]] });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: "root-user", severity: "high", evidence: { user: "", uid: 0 } });
  });

  it("toor: message and evidence say why, per resolver", () => {
    const [f] = runAnalyzer(userAnalyzer, { layers: [[passwdFile(ROOT_AND_TOOR)]], config: { User: "toor" } });
    expect(f).toMatchObject({
      ruleId: "root-user",
      severity: "high",
      evidence: { user: "toor", uid: 0, name: "toor", passwdLayer: 0, resolvers: { moby: { uid: 0 }, "containerd-name": { uid: 0 } } },
    });
    expect(f!.message).toContain('"toor" is line 2 of /etc/passwd, uid 0');
  });

  it("user-unknown is medium", () => {
    const [f] = runAnalyzer(userAnalyzer, { layers: [[passwdFile(ROOT_AND_TOOR)]], config: { User: "ghost" } });
    expect(f).toMatchObject({ ruleId: "user-unknown", severity: "medium", evidence: { user: "ghost", uid: null } });
  });

  it("uses the FINAL passwd when a later layer overwrites it", () => {
    const layers = [[passwdFile("root:x:0:0::/root:/bin/sh\ntoor:x:1001:1001::/:/bin/sh\n")], [passwdFile(ROOT_AND_TOOR)]];
    expect(runAnalyzer(userAnalyzer, { layers, config: { User: "toor" } }).map((f) => f.ruleId)).toEqual(["root-user"]);
    const fixed = [layers[1]!, [passwdFile("root:x:0:0::/root:/bin/sh\ntoor:x:1001:1001::/:/bin/sh\n")]];
    expect(runAnalyzer(userAnalyzer, { layers: fixed, config: { User: "toor" } })).toEqual([]);
  });

  it("passwd deleted by a whiteout: a name is not found any more", () => {
    const layers = [[passwdFile(ROOT_AND_TOOR)], [{ path: "/etc/.wh.passwd" }]];
    const findings = runAnalyzer(userAnalyzer, { layers, config: { User: "toor" } });
    expect(findings.map((f) => f.ruleId)).toEqual(["user-unknown"]);
    expect(findings[0]!.message).toContain("not in /etc/passwd");
    expect(runAnalyzer(userAnalyzer, { layers, config: { User: "1000" } })).toEqual([]);
  });

  it("/etc/passwd a symlink to another file named passwd: read through the link", () => {
    const layers = [
      [
        { path: "/usr/share/base-passwd/passwd", content: ROOT_AND_TOOR },
        { path: "/etc/passwd", type: "symlink" as const, link: "../usr/share/base-passwd/passwd" },
      ],
    ];
    expect(runAnalyzer(userAnalyzer, { layers, config: { User: "app" } })).toEqual([]);
    const [f] = runAnalyzer(userAnalyzer, { layers, config: { User: "toor" } });
    expect(f).toMatchObject({ ruleId: "root-user", evidence: { passwdPath: "/usr/share/base-passwd/passwd" } });
  });

  it("/etc/passwd a symlink to a file whose content was not captured: undetermined, fails closed", () => {
    const layers = [
      [
        { path: "/data/accounts.db", content: ROOT_AND_TOOR },
        { path: "/etc/passwd", type: "symlink" as const, link: "/data/accounts.db" },
      ],
    ];
    const [f] = runAnalyzer(userAnalyzer, { layers, config: { User: "app" } });
    expect(f).toMatchObject({ ruleId: "user-undetermined", severity: "high", category: "user" });
    expect(f!.message).toContain("was not captured");
    // A numeric user needs no passwd.
    expect(runAnalyzer(userAnalyzer, { layers, config: { User: "1000" } })).toEqual([]);
  });

  it("/etc/passwd a hardlink: the bound file's bytes are read", () => {
    const layers = [[{ path: "/etc/x/passwd", content: ROOT_AND_TOOR }, { path: "/etc/passwd", type: "hardlink" as const, link: "/etc/x/passwd" }]];
    expect(runAnalyzer(userAnalyzer, { layers, config: { User: "toor" } }).map((f) => f.ruleId)).toEqual(["root-user"]);
    expect(runAnalyzer(userAnalyzer, { layers, config: { User: "app" } })).toEqual([]);
  });

  it("/etc/passwd a directory, a FIFO or a symlink loop: undetermined for a name", () => {
    for (const layer of [
      [{ path: "/etc/passwd/" }],
      [{ path: "/etc/passwd", type: "fifo" as const }],
      [
        { path: "/etc/passwd", type: "symlink" as const, link: "/etc/loop" },
        { path: "/etc/loop", type: "symlink" as const, link: "/etc/passwd" },
      ],
    ]) {
      expect(runAnalyzer(userAnalyzer, { layers: [layer], config: { User: "app" } }).map((f) => f.ruleId)).toEqual(["user-undetermined"]);
    }
  });

  it("a truncated /etc/passwd (over the capture cap) with the user past the cap: undetermined", () => {
    const pad = `${"p:x:1:1::/:/bin/sh\n".repeat(60000)}`; // ~1.1 MiB
    const layers = [[passwdFile(`${pad}toor:x:0:0::/:/bin/sh\n`)]];
    const [f] = runAnalyzer(userAnalyzer, { layers, config: { User: "toor" } });
    expect(f).toMatchObject({ ruleId: "user-undetermined" });
    expect(f!.message).toContain("captured only in part");
  });

  it("wants any regular file named passwd, capped", () => {
    const e = { path: "/etc/passwd", type: "file", mode: 0o644, uid: 0, gid: 0, size: 10, layer: 0 } as const;
    expect(userAnalyzer.wantsContent!(e)).toBeGreaterThan(0);
    expect(userAnalyzer.wantsContent!({ ...e, path: "/e/passwd" })).toBeGreaterThan(0);
    expect(userAnalyzer.wantsContent!({ ...e, path: "/etc/group" })).toBe(0);
    expect(userAnalyzer.wantsContent!({ ...e, path: "/etc/passwd-" })).toBe(0);
  });
});
