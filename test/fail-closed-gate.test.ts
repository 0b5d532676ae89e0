// Fail closed, end to end: `scan --forbid shell,setuid --require-non-root`
// on generated images, asserting the exit code, the finding and the
// report's analysis gaps. Root by ANY runtime's user resolution fails; so
// does a user the scan could not resolve; a proven non-root image passes.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { fakeBusybox, fakeElf } from "../fixtures/lib/fake-bin.js";
import { dir, file, image, layer, layoutFiles, packTar, writeTree } from "./hostile/build.js";
import { hardlink, symlink, type TarEntry } from "../fixtures/lib/tar-pack.js";

interface Report {
  findings: { ruleId: string; category: string; message: string; path?: string; evidence?: Record<string, unknown> }[];
  analysis?: { complete: boolean; gaps: { ruleId: string; message: string; affects: string[] }[] };
  gate?: { passed: boolean; checks: { id: string; passed: boolean; message: string }[] };
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(`${tmpdir()}/layerlint-failclosed-`);
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const PASSWD = "root:x:0:0:root:/root:/usr/sbin/nologin\napp:x:1000:1000::/home/app:/usr/sbin/nologin\n";

async function gate(name: string, user: string, entries: TarEntry[], extra: string[] = []): Promise<{ code: number; report: Report }> {
  const tar = await packTar([dir("etc"), dir("app"), file("app/server", fakeElf("server"), 0o755), ...entries]);
  const built = image({ layers: [layer(tar)], config: (c) => (c["config"] = { User: user }) });
  const root = await writeTree(`${tmp}/${name}`, layoutFiles(built));
  const r = await runCli(["scan", `oci:${root}`, "--format", "json", "--forbid", "shell,setuid", "--require-non-root", ...extra]);
  expect(r.stderr.replace(/^warning: .*\n/gm, ""), r.stderr).toBe("");
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

const check = (r: Report, id: string) => r.gate!.checks.find((c) => c.id === id)!;

describe("scan --forbid shell,setuid --require-non-root: fails closed", () => {
  it("exit 0 for an image proven non-root, with a complete analysis", async () => {
    const { code, report } = await gate("non-root", "app", [file("etc/passwd", PASSWD)]);
    expect(code).toBe(0);
    expect(report.analysis).toEqual({ complete: true, gaps: [] });
    expect(check(report, "require-non-root").passed).toBe(true);
  });

  it("exit 1 when containerd before the CVE-2024-40635 fix runs User 4294967296 as uid 0", async () => {
    const { code, report } = await gate("wrap", "4294967296", [file("etc/passwd", PASSWD)]);
    expect(code).toBe(1);
    const f = report.findings.find((x) => x.ruleId === "root-user")!;
    expect(f.message).toContain("containerd before the CVE-2024-40635 fix");
    expect(check(report, "require-non-root").passed).toBe(false);
  });

  it("exit 1 when newer containerd looks User -1 up as a name that is uid 0", async () => {
    const { code, report } = await gate("as-name", "-1", [file("etc/passwd", `${PASSWD}-1:x:0:0::/:/usr/sbin/nologin\n`)]);
    expect(code).toBe(1);
    expect(report.findings.find((x) => x.ruleId === "root-user")!.message).toContain("looked up as a name");
  });

  it("exit 1 for runc's parse: a U+0085-padded line and a #-named account are real accounts", async () => {
    const nel = await gate("nel", "svc", [file("etc/passwd", `${PASSWD}\u0085svc:x:0:0::/:/usr/sbin/nologin\u0085\n`)]);
    expect(nel.code).toBe(1);
    expect(nel.report.findings.map((f) => f.ruleId)).toContain("root-user");
    const hash = await gate("hash", "#svc", [file("etc/passwd", `#svc:x:0:0::/:/usr/sbin/nologin\n${PASSWD}`)]);
    expect(hash.code).toBe(1);
  });

  it("exit 0 and 1 through a symlink or hardlink to a file of another name: the second look reads it", async () => {
    const ROOT_APP = PASSWD.replace("1000:1000", "0:0");
    const viaSymlink = (pw: string) => [dir("data"), file("data/accounts", pw), symlink("etc/passwd", "/data/accounts")];
    const viaHardlink = (pw: string) => [dir("data"), file("data/accounts", pw), hardlink("etc/passwd", "data/accounts", 0o644)];
    const ok = await gate("second-look-ok", "app", viaSymlink(PASSWD));
    expect(ok.code).toBe(0);
    expect(ok.report.analysis).toEqual({ complete: true, gaps: [] });
    for (const [name, entries] of [["second-look-symlink", viaSymlink(ROOT_APP)], ["second-look-hardlink", viaHardlink(ROOT_APP)]] as const) {
      const { code, report } = await gate(name, "app", entries);
      expect(code, name).toBe(1);
      const f = report.findings.find((x) => x.ruleId === "root-user")!;
      expect(f.evidence).toMatchObject({ uid: 0, passwdPath: "/data/accounts" });
      expect(check(report, "require-non-root").passed).toBe(false);
    }
  });

  it("exit 1 with user-undetermined when /etc/passwd is larger than the second look reads (16 MiB)", async () => {
    const huge = PASSWD + "p:x:1:1::/:/usr/sbin/nologin\n".repeat(600_000); // ~17 MiB
    const { code, report } = await gate("undetermined", "app", [file("etc/passwd", huge)]);
    expect(code).toBe(1);
    const f = report.findings.find((x) => x.ruleId === "user-undetermined")!;
    expect(f.message).toContain("captured only in part");
    expect(report.analysis).toEqual({ complete: false, gaps: [{ ruleId: "user-undetermined", message: f.message, affects: ["require-non-root"] }] });
    const c = check(report, "require-non-root");
    expect(c.passed).toBe(false);
    expect(c.message).toContain("could not decide (user-undetermined)");
  });

  it("exit 1 with user-undetermined for a numeric User when the runtimes cannot read /etc/passwd (a directory, a line over 64 KiB)", async () => {
    const isDir = await gate("passwd-dir", "1000", [dir("etc/passwd")]);
    expect(isDir.code).toBe(1);
    expect(isDir.report.findings.find((x) => x.ruleId === "user-undetermined")!.message).toContain("runc reads it for every user, numeric or not");
    const long = await gate("passwd-long-line", "app", [file("etc/passwd", `${PASSWD}${"x".repeat(70_000)}\n`)]);
    expect(long.code).toBe(1);
    expect(long.report.findings.find((x) => x.ruleId === "user-undetermined")!.message).toContain("line over 64 KiB");
  });

  it("exit 0 through a symlink to another passwd-named file the scan did read", async () => {
    const { code } = await gate("via-link", "app", [dir("usr"), dir("usr/share"), file("usr/share/passwd", PASSWD), symlink("etc/passwd", "../usr/share/passwd")]);
    expect(code).toBe(0);
  });

  it("exit 1 with tools-undetermined when a busybox's applets were not seen, even for a tool the assumed shell does not cover", async () => {
    const { code, report } = await gate("busybox", "app", [file("etc/passwd", PASSWD), dir("opt"), file("opt/blob", fakeBusybox(), 0o755), dir("bin"), hardlink("bin/busybox", "opt/blob")], [
      "--forbid",
      "download-tool",
    ]);
    expect(code).toBe(1);
    expect(report.analysis?.gaps.map((g) => g.ruleId)).toEqual(["tools-undetermined"]);
    expect(check(report, "forbid-download-tool")).toMatchObject({ passed: false });
    expect(check(report, "forbid-download-tool").message).toContain("tools-undetermined");
  });

  it("a busybox whose applets were read: the analysis is complete and each applet is reported", async () => {
    const { code, report } = await gate("busybox-read", "app", [file("etc/passwd", PASSWD), dir("bin"), file("bin/busybox", fakeBusybox(), 0o755)]);
    expect(code).toBe(1); // its sh applet is a shell
    expect(report.analysis?.complete).toBe(true);
    expect(check(report, "forbid-shell").message).not.toContain("could not decide");
    expect(report.findings.some((f) => f.path === "/bin/busybox" && f.evidence?.["applet"] === "wget")).toBe(true);
  });
});
