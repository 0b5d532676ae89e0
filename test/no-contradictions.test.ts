// The base-class line and the shell findings come from one command search
// and one shell list (command-search.ts, tool-catalog.ts): the line never
// says "no shell" next to a shell finding, and the shell it names is one a
// finding lists. Images where an earlier label, with its own search and
// its own short shell list, said "no shell in PATH" next to a shell
// finding: a shell reached only as a busybox applet, a busybox outside
// PATH, a shell its short list lacked (fish). Also: a busybox whose applets
// could not be read (both assume a shell), a symlinked shell (one finding
// for dash and sh: the label names one of its paths), a distroless debug
// variant, and a shell outside PATH (both say there is none).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportSchema, type Report } from "../packages/core/dist/index.js";
import { symlink, type TarEntry } from "../fixtures/lib/tar-pack.js";
import { runCli } from "./helpers/cli.js";
import { fakeBusybox } from "./helpers/fake-busybox.js";
import { dir, file, image, layer, layoutFiles, packTar, writeTree, type Json } from "./hostile/build.js";

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(`${tmpdir()}/layerlint-agree-`);
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const ELF = "\x7fELF\x02\x01\x01\0";
const DEBIAN = file("etc/os-release", 'ID=debian\nVERSION_ID=12\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n');
const DISTROLESS = file("etc/os-release", 'ID=debian\nVERSION_ID=12\nPRETTY_NAME="Distroless"\n');
const bin = (p: string) => file(p, ELF, 0o755);

async function scanOf(name: string, entries: TarEntry[], env?: string[]): Promise<Report> {
  const b = image({
    layers: [layer(await packTar(entries))],
    config: (c: Json) => {
      if (env) c["config"] = { ...c["config"], Env: env };
    },
  });
  const root = await writeTree(`${tmp}/${name}`, layoutFiles(b));
  const r = await runCli(["scan", `oci:${root}`, "--format", "json"]);
  expect(r.code, r.stderr).toBe(0);
  return reportSchema.parse(JSON.parse(r.stdout));
}

/** Every path of the shell findings (a finding lists every path that reaches its shell). */
function shellPaths(r: Report): string[] {
  return r.findings
    .filter((f) => f.category === "shell" && f.inFinalImage)
    .flatMap((f) => (Array.isArray(f.evidence?.["paths"]) ? (f.evidence["paths"] as string[]) : [f.path!]));
}

/** The shell the base-class line names, or "none" when it says there is none, or undefined when it says nothing of shells. */
function labelShell(r: Report): string | undefined {
  for (const reason of r.image.baseClass.reasons) {
    if (/^no shell\b/.test(reason)) return "none";
    const m = /^shell (\/\S+)$/.exec(reason) ?? /^shell present \((\/[^)]+)\)/.exec(reason);
    if (m) return m[1];
  }
  return undefined;
}

function expectAgreement(r: Report): void {
  const shells = shellPaths(r);
  const said = labelShell(r);
  if (shells.length === 0) expect(said === undefined || said === "none", `label says ${said}`).toBe(true);
  else {
    expect(said, r.image.baseClass.reasons.join("; ")).toBeDefined();
    expect(shells).toContain(said);
  }
}

describe("the base-class line agrees with the shell findings", () => {
  it("a shell reached only as a busybox applet (no applet links)", async () => {
    const r = await scanOf("applet-only", [dir("etc"), DEBIAN, dir("bin"), file("bin/busybox", fakeBusybox(["sh", "ls"]), 0o755)]);
    expect(shellPaths(r)).toEqual(["/bin/busybox"]);
    expect(labelShell(r)).toBe("/bin/busybox");
    expectAgreement(r);
  });

  it("a busybox outside PATH in a small image that would otherwise read as distroless", async () => {
    const r = await scanOf("outside-path", [dir("etc"), DEBIAN, dir("opt"), dir("opt/rescue"), file("opt/rescue/busybox", fakeBusybox(["sh", "ls"]), 0o755)]);
    expect(shellPaths(r)).toEqual(["/opt/rescue/busybox"]);
    expect(r.image.baseClass.class).not.toBe("distroless");
    expectAgreement(r);
  });

  it("a busybox whose applets could not be read is assumed to be a shell, by both", async () => {
    const r = await scanOf("unread", [dir("etc"), DEBIAN, dir("bin"), file("bin/busybox", Buffer.alloc(5 * 1024 * 1024), 0o755)]);
    expect(shellPaths(r)).toEqual(["/bin/busybox"]);
    expect(r.findings.some((f) => f.ruleId === "tools-undetermined")).toBe(true);
    expectAgreement(r);
  });

  it("a shell an earlier, shorter shell list lacked (fish)", async () => {
    const r = await scanOf("fish", [dir("etc"), DEBIAN, dir("usr"), dir("usr/bin"), bin("usr/bin/fish")]);
    expect(shellPaths(r)).toEqual(["/usr/bin/fish"]);
    expectAgreement(r);
  });

  it("a symlinked shell on a merged /usr: one finding, and the label names one of its paths", async () => {
    const r = await scanOf("symlinked", [
      dir("etc"), DEBIAN, dir("usr"), dir("usr/bin"), symlink("bin", "usr/bin"), bin("usr/bin/dash"), symlink("usr/bin/sh", "dash"),
    ]);
    expect(r.findings.filter((f) => f.category === "shell")).toHaveLength(1);
    expect(shellPaths(r)).toEqual(["/usr/bin/dash", "/usr/bin/sh"]);
    expect(labelShell(r)).toBe("/usr/bin/sh");
    expectAgreement(r);
  });

  it("a distroless debug variant: the label's shell is the finding's", async () => {
    const r = await scanOf("debug", [dir("etc"), DISTROLESS, dir("busybox"), file("busybox/busybox", fakeBusybox(["sh"]), 0o755), symlink("busybox/sh", "busybox")], [
      "PATH=/busybox:/usr/bin:/bin",
    ]);
    expect(r.image.baseClass.class).toBe("distroless");
    expectAgreement(r);
    expect(labelShell(r)).toBe("/busybox/busybox");
  });

  it("a shell outside PATH: both say there is none", async () => {
    const r = await scanOf("no-shell", [dir("etc"), DEBIAN, dir("opt"), dir("opt/tools"), bin("opt/tools/bash"), dir("var"), dir("var/lib"), dir("var/lib/dpkg"), file("var/lib/dpkg/status", "Package: x\n")], ["PATH=/usr/bin"]);
    expect(shellPaths(r)).toEqual([]);
    expect(labelShell(r)).toBe("none");
    expectAgreement(r);
  });
});
