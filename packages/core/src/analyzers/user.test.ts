import { describe, expect, it } from "vitest";
import { runAnalyzer, type SpecEntry } from "../testing/image-builder.js";
import { effectiveUser, userAnalyzer } from "./user.js";
import { parsePasswd } from "./passwd.js";

const PASSWD = parsePasswd(
  [
    "root:x:0:0:root:/root:/bin/sh",
    "daemon:x:1:1::/usr/sbin:/usr/sbin/nologin",
    "app:x:1000:1000::/home/app:/bin/sh",
    "toor:x:0:0::/root:/bin/sh",
    "dup:x:2000:2000::/:/bin/sh",
    "dup:x:0:0::/:/bin/sh",
  ].join("\n"),
);

describe("effectiveUser (SPECS.md §8, moby GetExecUser)", () => {
  it.each<[string, boolean, number | undefined, string | undefined]>([
    // [config.User, isRoot, uid, name]
    ["", true, 0, undefined],
    ["root", true, 0, "root"],
    ["0", true, 0, "root"],
    ["0:0", true, 0, "root"],
    ["root:root", true, 0, "root"],
    ["1000", false, 1000, "app"],
    ["app", false, 1000, "app"],
    ["toor", true, 0, "toor"],
    ["0:100", true, 0, "root"],
    ["root:staff", true, 0, "root"],
    ["nobody", false, undefined, "nobody"],
    ["65532:65532", false, 65532, undefined],
  ])("%j → root %s, uid %s", (user, isRoot, uid, name) => {
    const eu = effectiveUser(user, PASSWD);
    expect(eu.isRoot).toBe(isRoot);
    expect(eu.uid).toBe(uid);
    expect(eu.name).toBe(name);
    expect(eu.reason).not.toBe("");
  });

  it("a numeric user is a uid even with no passwd at all", () => {
    expect(effectiveUser("1000", undefined)).toMatchObject({ uid: 1000, isRoot: false });
    expect(effectiveUser("0", undefined)).toMatchObject({ uid: 0, isRoot: true });
  });

  it("root and the empty user are root without a passwd", () => {
    expect(effectiveUser("", undefined).isRoot).toBe(true);
    expect(effectiveUser("root", undefined).isRoot).toBe(true);
    expect(effectiveUser(":1000", undefined)).toMatchObject({ uid: 0, isRoot: true });
  });

  it("a name without a passwd cannot be resolved", () => {
    expect(effectiveUser("app", undefined)).toMatchObject({ uid: undefined, isRoot: false });
    expect(effectiveUser("app", undefined).reason).toContain("no /etc/passwd");
  });

  it("first match wins", () => {
    expect(effectiveUser("dup", PASSWD)).toMatchObject({ uid: 2000, isRoot: false });
    expect(effectiveUser("dup", parsePasswd("dup:x:0:0::/:/bin/sh\ndup:x:5:5::/:/bin/sh"))).toMatchObject({
      uid: 0,
      isRoot: true,
    });
  });

  it("reads numbers as Go's Atoi does: 00 and +0 are uid 0", () => {
    expect(effectiveUser("00", PASSWD).isRoot).toBe(true);
    expect(effectiveUser("+0:0", PASSWD).isRoot).toBe(true);
  });

  it("an out-of-range uid resolves to nothing", () => {
    expect(effectiveUser("4294967296", PASSWD)).toMatchObject({ uid: undefined, isRoot: false });
    expect(effectiveUser("-1", PASSWD)).toMatchObject({ uid: undefined, isRoot: false });
  });

  it("says why", () => {
    expect(effectiveUser("toor", PASSWD).reason).toBe('config User "toor" resolves to uid 0 in /etc/passwd (line 4)');
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

  it("toor: message and evidence say why", () => {
    const [f] = runAnalyzer(userAnalyzer, { layers: [[passwdFile(ROOT_AND_TOOR)]], config: { User: "toor" } });
    expect(f).toMatchObject({
      ruleId: "root-user",
      severity: "high",
      evidence: { user: "toor", uid: 0, name: "toor", passwdLayer: 0 },
    });
    expect(f!.message).toContain('config User "toor" resolves to uid 0 in /etc/passwd');
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
    expect(findings[0]!.message).toContain("no /etc/passwd");
    // a numeric user still resolves
    expect(runAnalyzer(userAnalyzer, { layers, config: { User: "1000" } })).toEqual([]);
  });

  it("/etc/passwd symlinked to an uncaptured file: no guess about names", () => {
    const layers = [
      [
        { path: "/usr/share/base-passwd/passwd", content: ROOT_AND_TOOR },
        { path: "/etc/passwd", type: "symlink" as const, link: "../usr/share/base-passwd/passwd" },
      ],
    ];
    expect(runAnalyzer(userAnalyzer, { layers, config: { User: "app" } })).toEqual([]);
    expect(runAnalyzer(userAnalyzer, { layers, config: { User: "root" } }).map((f) => f.ruleId)).toEqual(["root-user"]);
  });

  it("wants any file named passwd (it may land on /etc/passwd through a symlinked parent), capped", () => {
    const e = { path: "/etc/passwd", type: "file", mode: 0o644, uid: 0, gid: 0, size: 10, layer: 0 } as const;
    expect(userAnalyzer.wantsContent!(e)).toBeGreaterThan(0);
    expect(userAnalyzer.wantsContent!({ ...e, path: "/etc/group" })).toBe(0);
    expect(userAnalyzer.wantsContent!({ ...e, path: "/e/passwd" })).toBeGreaterThan(0);
    expect(userAnalyzer.wantsContent!({ ...e, path: "/etc/passwd-" })).toBe(0);
  });
});
