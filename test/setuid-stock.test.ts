// Stock setuid files, end to end through the CLI: a Debian-like base whose
// passwd/su/mount dpkg lists claim them gives one low setuid-stock finding
// and passes `--fail-on high`; a crafted image that tries to pass its own
// setuid files off as stock (a fake .list, a binary replaced in a later
// layer, a world-writable or non-root-owned stock name) keeps each HIGH.
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { fakeElf } from "../fixtures/lib/fake-bin.js";
import { dir, file, image, layer, layoutFiles, packTar, writeTree } from "./hostile/build.js";
import { symlink, type TarEntry } from "../fixtures/lib/tar-pack.js";

interface Finding {
  ruleId: string;
  severity: string;
  path?: string;
  evidence?: Record<string, unknown>;
}
interface Report {
  findings: Finding[];
  summary: { bySeverity: Record<string, number> };
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(`${tmpdir()}/layerlint-setuid-stock-`);
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const md5 = (b: Buffer) => createHash("md5").update(b).digest("hex");
const status = (pkgs: string[]) => pkgs.map((p) => `Package: ${p}\nStatus: install ok installed\nArchitecture: amd64\n`).join("\n");

/** A merged-/usr Debian base: passwd (passwd, chfn; md5sums), util-linux (su), mount (mount), login (newgrp). */
function base(opts: { chfnMode?: number; newgrpUid?: number } = {}): TarEntry[] {
  const passwdBin = fakeElf("passwd", 4096);
  const chfnBin = fakeElf("chfn", 4096);
  return [
    symlink("bin", "usr/bin"),
    dir("usr"),
    dir("usr/bin"),
    file("usr/bin/passwd", passwdBin, 0o4755),
    file("usr/bin/chfn", chfnBin, opts.chfnMode ?? 0o4755),
    file("usr/bin/su", fakeElf("su", 4096), 0o4755),
    file("usr/bin/mount", fakeElf("mount", 4096), 0o4755),
    file("usr/bin/newgrp", fakeElf("newgrp", 4096), 0o4755, { uid: opts.newgrpUid ?? 0 }),
    dir("var"),
    dir("var/lib"),
    dir("var/lib/dpkg"),
    file("var/lib/dpkg/status", status(["login", "mount", "passwd", "util-linux"])),
    dir("var/lib/dpkg/info"),
    file("var/lib/dpkg/info/passwd.list", "/.\n/usr\n/usr/bin\n/usr/bin/chfn\n/usr/bin/passwd\n"),
    file("var/lib/dpkg/info/passwd.md5sums", `${md5(chfnBin)}  usr/bin/chfn\n${md5(passwdBin)}  usr/bin/passwd\n`),
    file("var/lib/dpkg/info/util-linux.list", "/.\n/bin\n/bin/su\n"),
    file("var/lib/dpkg/info/mount.list", "/.\n/bin\n/bin/mount\n"),
    file("var/lib/dpkg/info/login.list", "/.\n/usr/bin\n/usr/bin/newgrp\n"),
  ];
}

async function scan(name: string, layers: TarEntry[][]): Promise<{ code: number; report: Report }> {
  const built = image({ layers: await Promise.all(layers.map(async (l) => layer(await packTar(l)))) });
  const root = await writeTree(`${tmp}/${name}`, layoutFiles(built));
  const r = await runCli(["scan", `oci:${root}`, "--format", "json", "--fail-on", "high"]);
  expect(r.stderr).toBe("");
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

const stockPaths = (r: Report) => r.findings.filter((f) => f.ruleId === "setuid-stock").flatMap((f) => (f.evidence!["files"] as { path: string }[]).map((x) => x.path));
const high = (r: Report) => r.findings.filter((f) => f.severity === "high").map((f) => `${f.ruleId} ${f.path}`);

describe("stock setuid files, end to end", () => {
  it("a stock base: one low setuid-stock finding, no HIGH, and --fail-on high passes", async () => {
    const { code, report } = await scan("stock", [base()]);
    expect(stockPaths(report)).toEqual(["/usr/bin/chfn", "/usr/bin/mount", "/usr/bin/newgrp", "/usr/bin/passwd", "/usr/bin/su"]);
    expect(report.findings.filter((f) => f.ruleId === "setuid-stock").map((f) => f.severity)).toEqual(["low"]);
    expect(high(report)).toEqual([]);
    expect(code).toBe(0);
  });

  it("a crafted image keeps every disguised setuid file HIGH, and --fail-on high fails", async () => {
    const attacker: TarEntry[] = [
      dir("usr"),
      dir("usr/bin"),
      // Replaces mount after dpkg installed it, without touching mount.list.
      file("usr/bin/mount", fakeElf("mount-trojan", 4096), 0o4755),
      dir("usr/local"),
      dir("usr/local/bin"),
      file("usr/local/bin/backdoor", fakeElf("backdoor", 4096), 0o4755),
      // Also a fake package claiming both the backdoor and a stock-named copy of it.
      file("usr/local/bin/su", fakeElf("backdoor", 4096), 0o4755),
      dir("var"),
      dir("var/lib"),
      dir("var/lib/dpkg"),
      file("var/lib/dpkg/status", status(["evil", "login", "mount", "passwd", "util-linux"])),
      dir("var/lib/dpkg/info"),
      file("var/lib/dpkg/info/evil.list", "/.\n/usr/local/bin/backdoor\n/usr/local/bin/su\n"),
    ];
    const { code, report } = await scan("crafted", [base({ chfnMode: 0o4757, newgrpUid: 1000 }), attacker]);
    expect(stockPaths(report)).toEqual(["/usr/bin/passwd", "/usr/bin/su"]);
    expect(high(report)).toEqual([
      "setuid-binary /usr/bin/chfn", // world-writable
      "setuid-binary /usr/bin/mount", // replaced by a later layer
      "setuid-binary /usr/bin/newgrp", // a stock name login claims, owned by uid 1000
      "setuid-binary /usr/local/bin/backdoor", // claimed by a fake .list
      "setuid-binary /usr/local/bin/su", // a stock name outside the distribution's directories
    ]);
    const why = Object.fromEntries(report.findings.filter((f) => f.ruleId === "setuid-binary").map((f) => [f.path, [f.evidence!["package"], f.evidence!["notStock"]]]));
    expect(why).toEqual({
      "/usr/bin/chfn": ["passwd", "writable by its group or others"],
      "/usr/bin/mount": ["mount", "written by layer 1, not by layer 0 that wrote /var/lib/dpkg/info/mount.list"],
      "/usr/bin/newgrp": ["login", "owned by uid 1000, not root"],
      "/usr/local/bin/backdoor": ["evil", undefined],
      "/usr/local/bin/su": ["evil", undefined],
    });
    expect(code).toBe(1);
  });

  it("an unreadable dpkg status file lowers nothing and says ownership is unknown", async () => {
    const layers = base().map((e) => (e.path === "var/lib/dpkg/status" ? file("var/lib/dpkg/status", Buffer.from([0, 1, 2, 0])) : e));
    const { code, report } = await scan("unreadable", [layers]);
    expect(stockPaths(report)).toEqual([]);
    expect(high(report)).toHaveLength(5);
    expect(report.findings.find((f) => f.path === "/usr/bin/su")!.evidence!["notStock"]).toBe("package ownership unknown (/var/lib/dpkg/status: not a text file)");
    expect(code).toBe(1);
  });
});
