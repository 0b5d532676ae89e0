import { describe, expect, it } from "vitest";
import { buildContext, runAnalyzer, type SpecEntry } from "../testing/image-builder.js";
import { effectiveUser, userAnalyzer } from "./user.js";
import { parsePasswdBytes } from "./passwd.js";
import { resolveUser, type GroupSource, type PasswdSource } from "./user-resolvers.js";

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

describe("passwd or group the runtimes cannot read, or the scan could not see", () => {
  const big = `app:x:1000:1000::/:/bin/sh\n${"z".repeat(70000)}\ntoor:x:0:0::/:/bin/sh\n`;
  const undetermined = { isRoot: false, undetermined: true, uid: undefined };

  it("a line over 64 KiB fails runc's whole read: every User undetermined, a match before it and numeric ones included", () => {
    const src = parsed(big);
    for (const user of ["app", "toor", "1000", "", "0"]) expect(effectiveUser(user, src), user).toMatchObject(undetermined);
    expect(effectiveUser("app", src).reason).toContain("line over 64 KiB (line 2)");
  });

  it("a directory (EISDIR on read): every User undetermined, even the empty one", () => {
    const src: PasswdSource = { kind: "read-error", why: "resolves to /etc/passwd, a dir, not a regular file" };
    for (const user of ["app", "1000", "", "0:0"]) expect(effectiveUser(user, src), user).toMatchObject(undetermined);
    expect(effectiveUser("1000", src).reason).toContain("runc reads it for every user, numeric or not");
  });

  it("a symlink loop: moby's and containerd's path lookups fail; containerd with an empty User never resolves it", () => {
    const src: PasswdSource = { kind: "loop", why: "is a symlink that does not resolve (a loop)" };
    expect(effectiveUser("1000", src)).toMatchObject(undetermined);
    expect(effectiveUser("app", src)).toMatchObject(undetermined);
    const empty = effectiveUser("", src);
    expect(empty).toMatchObject({ isRoot: true, uid: 0 });
    expect(empty.resolvers.moby.outcome).toBe("unknown");
  });

  it("a truncated capture: uid 0 in the captured lines is root; any other answer is undetermined (the rest may fail runc's read)", () => {
    const src = parsed("app:x:1000:1000::/:/bin/sh\nto", false);
    expect(effectiveUser("app", src)).toMatchObject(undetermined);
    expect(effectiveUser("app", src).reason).toContain("unless the part of /etc/passwd the scan did not see");
    expect(effectiveUser("toor", src)).toMatchObject(undetermined);
    expect(effectiveUser("toor", parsed("toor:x:0:0\nab", false)).isRoot).toBe(true);
  });

  it("not seen at all: root when some resolver gives uid 0 whatever it holds, otherwise undetermined", () => {
    const src: PasswdSource = { kind: "unseen", why: "was not captured" };
    expect(effectiveUser("app", src)).toMatchObject(undetermined);
    expect(effectiveUser("1000", src)).toMatchObject(undetermined);
    expect(effectiveUser("", src)).toMatchObject({ isRoot: true });
    expect(effectiveUser("0", src)).toMatchObject({ isRoot: true });
    // containerd-wrap says root without reading; moby needs passwd for an out-of-range number.
    expect(effectiveUser("4294967296", src).isRoot).toBe(true);
    expect(effectiveUser("2147483648", src)).toMatchObject(undetermined);
  });

  it("/etc/group unreadable (a directory, a loop): every User undetermined; its content never matters", () => {
    const group: GroupSource = { kind: "broken", why: "resolves to /etc/group, a dir, not a regular file" };
    for (const user of ["app", "1000", "", "0"]) expect(effectiveUser(user, PASSWD, group), user).toMatchObject(undetermined);
    expect(effectiveUser("1000", PASSWD, group).reason).toContain("/etc/group resolves to /etc/group, a dir");
  });

  it("containerd refuses a User with two colons before it reads any file", () => {
    const r = resolveUser("containerd-name", "a:b:c", { kind: "read-error", why: "x" });
    expect(r.outcome).toBe("fails");
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

  it("/etc/passwd a symlink to a file the walk did not capture: the second look reads it", () => {
    const layers = [
      [
        { path: "/data/accounts.db", content: ROOT_AND_TOOR },
        { path: "/etc/passwd", type: "symlink" as const, link: "/data/accounts.db" },
      ],
    ];
    expect(runAnalyzer(userAnalyzer, { layers, config: { User: "app" } })).toEqual([]);
    const [f] = runAnalyzer(userAnalyzer, { layers, config: { User: "toor" } });
    expect(f).toMatchObject({ ruleId: "root-user", evidence: { passwdPath: "/data/accounts.db", passwdLayer: 0 } });
  });

  it("... and past the second look's limit: undetermined for every User but root, fails closed", () => {
    const layers = [
      [
        { path: "/data/accounts.db", content: ROOT_AND_TOOR },
        { path: "/etc/passwd", type: "symlink" as const, link: "/data/accounts.db" },
      ],
    ];
    const limits = { maxSecondLookBytes: ROOT_AND_TOOR.length - 1 };
    for (const user of ["app", "1000"]) {
      const [f, ...rest] = runAnalyzer(userAnalyzer, { layers, config: { User: user } }, limits);
      expect(rest).toEqual([]);
      expect(f).toMatchObject({ ruleId: "user-undetermined", severity: "high", category: "user" });
      expect(f!.message).toContain("resolves to (/data/accounts.db) and was not captured");
    }
    expect(runAnalyzer(userAnalyzer, { layers, config: { User: "" } }, limits).map((f) => f.ruleId)).toEqual(["root-user"]);
  });

  it("/etc/passwd a hardlink: the bound file's bytes are read, under any name", () => {
    for (const from of ["/etc/x/passwd", "/app/pw"]) {
      const layers = [[{ path: from, content: ROOT_AND_TOOR }, { path: "/etc/passwd", type: "hardlink" as const, link: from, mode: 0o644 }]];
      expect(runAnalyzer(userAnalyzer, { layers, config: { User: "toor" } }).map((f) => f.ruleId), from).toEqual(["root-user"]);
      expect(runAnalyzer(userAnalyzer, { layers, config: { User: "app" } }), from).toEqual([]);
    }
  });

  it("/etc/passwd a directory or a symlink loop: undetermined, numeric User included; a FIFO: unseen", () => {
    const dir = [{ path: "/etc/passwd/" }];
    const fifo = [{ path: "/etc/passwd", type: "fifo" as const }];
    const loop = [
      { path: "/etc/passwd", type: "symlink" as const, link: "/etc/loop" },
      { path: "/etc/loop", type: "symlink" as const, link: "/etc/passwd" },
    ];
    const rules = (layer: SpecEntry[], user: string) => runAnalyzer(userAnalyzer, { layers: [layer], config: { User: user } }).map((f) => f.ruleId);
    for (const layer of [dir, fifo, loop]) {
      for (const user of ["app", "1000"]) expect(rules(layer, user), `${layer[0]!.path} ${user}`).toEqual(["user-undetermined"]);
    }
    // Empty User: runc fails to read a directory; a FIFO's content is unknown (root possible); containerd never resolves a loop.
    expect(rules(dir, "")).toEqual(["user-undetermined"]);
    expect(rules(fifo, "")).toEqual(["root-user"]);
    expect(rules(loop, "")).toEqual(["root-user"]);
  });

  it("/etc/group a directory: undetermined, whatever /etc/passwd says", () => {
    const layers = [[passwdFile(ROOT_AND_TOOR), { path: "/etc/group/" }]];
    const [f] = runAnalyzer(userAnalyzer, { layers, config: { User: "1000" } });
    expect(f).toMatchObject({ ruleId: "user-undetermined" });
    expect(f!.message).toContain("/etc/group resolves to /etc/group, a dir");
  });

  it("an /etc/passwd over the capture cap is read whole by the second look; past its limit, undetermined", () => {
    const pad = `${"p:x:1:1::/:/bin/sh\n".repeat(60000)}`; // ~1.1 MiB
    const layers = [[passwdFile(`${pad}toor:x:0:0::/:/bin/sh\napp:x:1000:1000::/:/bin/sh\n`)]];
    expect(runAnalyzer(userAnalyzer, { layers, config: { User: "toor" } }).map((f) => f.ruleId)).toEqual(["root-user"]);
    expect(runAnalyzer(userAnalyzer, { layers, config: { User: "app" } })).toEqual([]);
    const [f] = runAnalyzer(userAnalyzer, { layers, config: { User: "app" } }, { maxSecondLookBytes: 1024 * 1024 });
    expect(f).toMatchObject({ ruleId: "user-undetermined" });
    expect(f!.message).toContain("captured only in part");
  });

  it("an empty /etc/passwd is read, not missing content: a name is not in it", () => {
    const [f] = runAnalyzer(userAnalyzer, { layers: [[passwdFile("")]], config: { User: "app" } });
    expect(f).toMatchObject({ ruleId: "user-unknown" });
  });

  it("needsContent asks for the final /etc/passwd only when it was not captured whole", () => {
    const ctx = (layer: SpecEntry[]) => buildContext({ layers: [layer] }, (e) => userAnalyzer.wantsContent!(e));
    expect(userAnalyzer.needsContent!(ctx([passwdFile(ROOT_AND_TOOR)]), undefined)).toEqual([]);
    expect(userAnalyzer.needsContent!(ctx([{ path: "/etc/group/" }]), undefined)).toEqual([]);
    const linked = ctx([{ path: "/data/db", content: ROOT_AND_TOOR }, { path: "/etc/passwd", type: "symlink", link: "/data/db" }]);
    expect(userAnalyzer.needsContent!(linked, undefined).map((e) => e.path)).toEqual(["/data/db"]);
  });

  it("wants any regular file named passwd, capped", () => {
    const e = { path: "/etc/passwd", type: "file", mode: 0o644, uid: 0, gid: 0, size: 10, layer: 0 } as const;
    expect(userAnalyzer.wantsContent!(e)).toBeGreaterThan(0);
    expect(userAnalyzer.wantsContent!({ ...e, path: "/e/passwd" })).toBeGreaterThan(0);
    expect(userAnalyzer.wantsContent!({ ...e, path: "/etc/group" })).toBe(0);
    expect(userAnalyzer.wantsContent!({ ...e, path: "/etc/passwd-" })).toBe(0);
  });
});
