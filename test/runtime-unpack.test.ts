// The gate sees the filesystem containerd and moby unpack: a setuid file, a
// capability or a uid-0 passwd that a crafted layer places where the runtime
// puts it (cleaned names, names clamped into the root, AUFS directories, a
// hardlink header that changes the shared inode, a write through a symlinked
// parent) makes `scan --forbid shell,setuid --require-non-root` fail. Each
// case runs the built CLI and asserts the exit code and the finding; each
// family has a control that passes, so the failure is the hidden file's.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import {
  baseTar, dir, file, header, image, layer, layoutFiles, packTar, padBlock, rawTar, writeTree, type Json,
} from "./hostile/build.js";
import { hardlink, symlink, vfsCapV2, CAP_NET_RAW } from "../fixtures/lib/tar-pack.js";

const GATE = ["--forbid", "shell,setuid", "--require-non-root"];
const CAP = { "security.capability": vfsCapV2(1 << CAP_NET_RAW) };

interface Report {
  findings: { ruleId: string; path?: string; evidence?: Record<string, unknown> }[];
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(`${tmpdir()}/layerlint-unpack-`);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A regular file entry with a name written exactly as given (tar-stream would not write "../x"). */
function raw(name: string, content: string, mode = 0o644): Buffer {
  const c = Buffer.from(content);
  return Buffer.concat([header({ name, size: c.length, mode }), padBlock(c)]);
}

/** The ordinary base layer (no shell, no setuid) plus `tops`, as an OCI layout; config User "1000" unless changed. */
async function build(id: string, tops: Buffer[], config?: (c: Json) => void): Promise<string> {
  const b = image({ layers: [layer(await baseTar()), ...tops.map((t) => layer(t))], config });
  return `oci:${await writeTree(`${root}/${id}`, layoutFiles(b))}`;
}

async function gate(input: string, flags = GATE): Promise<{ code: number; report: Report }> {
  const r = await runCli(["scan", "--format", "json", ...flags, input]);
  expect(r.stderr).toBe("");
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

const found = (r: Report, ruleId: string): string[] => r.findings.filter((f) => f.ruleId === ruleId).map((f) => f.path!).sort();

describe("the gate sees files where the runtime writes them", () => {
  it("control: a harmless layer passes the gate", async () => {
    const { code, report } = await gate(await build("control", [await packTar([dir("usr"), dir("usr/bin"), file("usr/bin/true", "t", 0o755)])]));
    expect(code).toBe(0);
    expect(found(report, "setuid-binary")).toEqual([]);
  });

  it("(a) a setuid file named x/../usr/bin/su is /usr/bin/su", async () => {
    const { code, report } = await gate(await build("dotdot-inside", [rawTar(raw("x/../usr/bin/su", "su", 0o4755))]));
    expect(code).toBe(1);
    expect(found(report, "setuid-binary")).toEqual(["/usr/bin/su"]);
  });

  it("(b) ../usr/bin/su is clamped into the root (containerd) and reported as interpreted", async () => {
    const { code, report } = await gate(await build("dotdot-escape", [rawTar(raw("../usr/bin/su", "su", 0o4755))]));
    expect(code).toBe(1);
    expect(found(report, "setuid-binary")).toEqual(["/usr/bin/su"]);
    const u = report.findings.find((f) => f.ruleId === "unsafe-tar-entry" && f.path === "../usr/bin/su");
    expect(u?.evidence?.["reason"]).toBe("path-escape");
  });

  it("(c) a setuid file under /.wh..wh.x/ is extracted by containerd", async () => {
    const { code, report } = await gate(await build("aufs-dir", [rawTar(raw(".wh..wh.x/su", "su", 0o4755))]));
    expect(code).toBe(1);
    expect(found(report, "setuid-binary")).toEqual(["/.wh..wh.x/su"]);
  });

  it("(d) a hardlink header that adds setuid to a harmless file makes both names setuid", async () => {
    const lower = await packTar([dir("usr"), dir("usr/bin"), file("usr/bin/true", "t", 0o755)]);
    const { code, report } = await gate(await build("hardlink-setuid", [lower, await packTar([hardlink("usr/bin/su", "usr/bin/true", 0o4755)])]));
    expect(code).toBe(1);
    expect(found(report, "setuid-binary")).toEqual(["/usr/bin/su", "/usr/bin/true"]);
  });

  it("(d) a hardlink header that adds a capability gives it to every name", async () => {
    const lower = await packTar([dir("usr"), dir("usr/bin"), file("usr/bin/true", "t", 0o755)]);
    const top = await packTar([hardlink("usr/bin/ping", "usr/bin/true", 0o755, { xattrs: CAP })]);
    const input = await build("hardlink-cap", [lower, top]);
    const { code, report } = await gate(input, [...GATE.slice(0, 1), "shell,setuid,capability", ...GATE.slice(2)]);
    expect(code).toBe(1);
    expect(found(report, "file-capability")).toEqual(["/usr/bin/ping", "/usr/bin/true"]);
  });

  it("(d) control: a hardlink header with the file's own mode changes nothing", async () => {
    const lower = await packTar([dir("usr"), dir("usr/bin"), file("usr/bin/true", "t", 0o755)]);
    const { code } = await gate(await build("hardlink-control", [lower, await packTar([hardlink("usr/bin/true2", "usr/bin/true", 0o755)])]));
    expect(code).toBe(0);
  });

  it("(e) a hardlink into /.wh..wh.plnk/ takes the plnk file's setuid bit (moby's copy)", async () => {
    const top = await packTar([
      file(".wh..wh.plnk/1.2", "su", 0o4755),
      dir("usr"),
      dir("usr/bin"),
      hardlink("usr/bin/su", ".wh..wh.plnk/1.2", 0o755),
    ]);
    const { code, report } = await gate(await build("aufs-plnk", [top]));
    expect(code).toBe(1);
    expect(found(report, "setuid-binary")).toContain("/usr/bin/su");
  });
});

describe("--require-non-root reads /etc/passwd written through a symlinked parent", () => {
  const passwdThroughE = async (id: string, line: string) =>
    build(id, [await packTar([symlink("e", "etc"), file("e/passwd", `${line}\n`)])], (c) => {
      c.config.User = "app";
    });

  it("uid 0 for the config user through e -> etc fails the gate with root-user", async () => {
    const { code, report } = await gate(await passwdThroughE("passwd-root", "app:x:0:0::/:/sbin/nologin"));
    expect(code).toBe(1);
    expect(report.findings.some((f) => f.ruleId === "root-user")).toBe(true);
  });

  it("control: uid 1000 through the same path passes", async () => {
    const { code, report } = await gate(await passwdThroughE("passwd-app", "app:x:1000:1000::/:/sbin/nologin"));
    expect(code).toBe(0);
    expect(report.findings.some((f) => f.ruleId === "root-user")).toBe(false);
  });
});
