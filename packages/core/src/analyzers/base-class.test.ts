import { describe, expect, it } from "vitest";
import { buildContext, type SpecEntry } from "../testing/image-builder.js";
import type { ContainerConfig } from "../types.js";
import { classifyBase, FEW_FILES, type BaseClassName } from "./base-class.js";
import { osReleaseWants } from "./os-release.js";
import { toolFindings } from "./tools.js";

const exe = (path: string): SpecEntry => ({ path, content: "\x7fELF", mode: 0o755 });
const link = (path: string, target: string): SpecEntry => ({ path, type: "symlink", link: target });
const file = (path: string, content = "x"): SpecEntry => ({ path, content });
const osRelease = (text: string): SpecEntry => file("/etc/os-release", text);

const DEBIAN_OS = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\n';
const DISTROLESS_OS = 'PRETTY_NAME="Distroless"\nNAME="Debian GNU/Linux"\nID="debian"\nVERSION_ID="12"\n';

/** A bookworm-slim-like tree: merged /usr, dash as sh, apt, copyright-only docs, perl-base. */
const DEBIAN_SLIM: SpecEntry[] = [
  link("/bin", "usr/bin"),
  link("/sbin", "usr/sbin"),
  link("/etc/os-release", "../usr/lib/os-release"),
  file("/usr/lib/os-release", DEBIAN_OS),
  exe("/usr/bin/bash"),
  exe("/usr/bin/dash"),
  link("/usr/bin/sh", "dash"),
  exe("/usr/bin/apt-get"),
  exe("/usr/bin/dpkg"),
  exe("/usr/bin/perl"),
  file("/var/lib/dpkg/status", "Package: bash\n"),
  file("/usr/share/doc/bash/copyright"),
  file("/usr/share/doc/dash/copyright"),
];

const BUSYBOX: SpecEntry[] = [exe("/bin/busybox"), link("/bin/sh", "busybox"), link("/bin/wget", "busybox")];

function classify(layers: SpecEntry[][], config?: Partial<ContainerConfig>) {
  return classifyBase(buildContext({ layers, config }, (e) => osReleaseWants(e.path)));
}

describe("classifyBase", () => {
  it.each<[string, SpecEntry[][], BaseClassName, Partial<ContainerConfig>?]>([
    ["scratch: a static binary and certificates", [[exe("/app"), file("/etc/ssl/certs/ca-certificates.crt")]], "scratch"],
    ["scratch: nothing at all", [[]], "scratch"],
    ["busybox: a shell but no OS metadata", [BUSYBOX], "unknown"],
    ["alpine: os-release", [[...BUSYBOX, osRelease("ID=alpine\nVERSION_ID=3.20.3\n"), exe("/sbin/apk")]], "alpine"],
    ["alpine: /etc/alpine-release only", [[...BUSYBOX, file("/etc/alpine-release", "3.20.3\n")]], "alpine"],
    ["alpine: apk with no os-release", [[...BUSYBOX, exe("/sbin/apk")]], "alpine"],
    ["alpine-like: ID_LIKE alpine", [[...BUSYBOX, osRelease("ID=postmarketos\nID_LIKE=alpine\n")]], "alpine"],
    ["distroless static", [[osRelease(DISTROLESS_OS), file("/etc/passwd"), file("/var/lib/dpkg/status.d/base")]], "distroless"],
    [
      "distroless debug: busybox shell under /busybox",
      [[osRelease(DISTROLESS_OS), exe("/busybox/busybox"), link("/busybox/sh", "busybox")]],
      "distroless",
      { Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/busybox"] },
    ],
    ["distroless: dpkg status.d, plain Debian os-release", [[osRelease(DEBIAN_OS), file("/var/lib/dpkg/status.d/libc6")]], "distroless"],
    ["distroless-sized: no shell, no package manager, few files", [[osRelease("ID=wolfi\n"), exe("/usr/bin/app")]], "distroless"],
    ["no OS metadata, bin dirs, no shell: unknown, not distroless", [[exe("/usr/bin/ping"), file("/etc/passwd")]], "unknown"],
    ["debian slim", [DEBIAN_SLIM], "slim"],
    ["ubuntu (minimized) is slim", [[...DEBIAN_SLIM.slice(0, 3), file("/usr/lib/os-release", "ID=ubuntu\nID_LIKE=debian\n"), ...DEBIAN_SLIM.slice(4)]], "slim"],
    ["debian full: man pages", [DEBIAN_SLIM, [file("/usr/share/man/man1/bash.1.gz")]], "full"],
    ["debian full: docs beyond copyright", [DEBIAN_SLIM, [file("/usr/share/doc/bash/README.gz")]], "full"],
    ["debian full: build tools", [DEBIAN_SLIM, [exe("/usr/bin/gcc"), exe("/usr/bin/make")]], "full"],
    ["slim again when a later layer deletes the man pages", [DEBIAN_SLIM, [file("/usr/share/man/man1/bash.1.gz")], [file("/usr/share/.wh.man")]], "slim"],
    ["a package manager without a shell is not distroless", [[osRelease(DEBIAN_OS), exe("/usr/bin/dpkg")]], "slim"],
    ["a non-executable sh is no shell", [[osRelease(DISTROLESS_OS), { path: "/bin/sh", content: "x", mode: 0o644 }]], "distroless"],
  ])("%s", (_name, layers, expected, config) => {
    const base = classify(layers, config);
    expect(base.class).toBe(expected);
    expect(base.reasons.length).toBeGreaterThan(0);
  });

  it("a no-shell, no-package-manager image with many files and no distroless marker is not distroless", () => {
    const many = Array.from({ length: FEW_FILES }, (_, i) => file(`/usr/share/data/f${i}`));
    expect(classify([[osRelease(DEBIAN_OS), ...many]]).class).toBe("slim");
    expect(classify([[osRelease(DEBIAN_OS), ...many.slice(2)]]).class).toBe("distroless");
  });

  it("reasons say why", () => {
    expect(classify([[...BUSYBOX, osRelease("ID=alpine\n")]]).reasons).toEqual(["os-release ID=alpine"]);
    const distroless = classify([[osRelease(DISTROLESS_OS)]]);
    expect(distroless.reasons).toEqual(['os-release names "Distroless"', "no package manager", "no shell"]);
    const slim = classify([DEBIAN_SLIM]);
    expect(slim.reasons).toEqual([
      'os-release ID=debian VERSION_ID=12',
      "shell /usr/bin/sh",
      "package manager apt-get, dpkg",
      "no man pages, no documentation beyond copyright files, no build tools",
    ]);
    const full = classify([DEBIAN_SLIM, [file("/usr/share/man/man1/bash.1.gz")]]);
    expect(full.reasons).toContain("man pages (/usr/share/man/man1/bash.1.gz)");
    const scratch = classify([[exe("/app")]]);
    expect(scratch.reasons).toEqual(["no /etc/os-release", "no /bin, /usr/bin, /sbin or /usr/sbin", "1 regular files"]);
  });

  it("merged /usr is not counted twice", () => {
    const slim = classify([DEBIAN_SLIM]);
    expect(slim.reasons.filter((r) => r.startsWith("package manager"))).toEqual(["package manager apt-get, dpkg"]);
  });
});

describe("base class and tool findings share one command search and one catalogue", () => {
  // Each of these is a shell the tools analyzer reports; the label must not say "no shell" beside it.
  it.each<[string, SpecEntry[], Partial<ContainerConfig>?]>([
    ["a versioned shell name (ksh93)", [exe("/usr/bin/ksh93")]],
    ["a shell only in /usr/local/sbin", [exe("/usr/local/sbin/fish")]],
    ["rbash", [exe("/bin/rbash")]],
    // A hardlink header's mode applies to the shared inode, and tar writes the file's mode on it.
    ["a shell reached through a hardlink", [exe("/opt/x/dash"), { path: "/usr/bin/dash", type: "hardlink", link: "/opt/x/dash", mode: 0o755 }]],
    ["a busybox outside PATH (its applets count)", [exe("/opt/tools/busybox")]],
    ["a shell in a PATH dir that only the image's Env names", [exe("/opt/bin/zsh")], { Env: ["PATH=/opt/bin:/usr/bin"] }],
  ])("%s", (_name, files, config) => {
    const ctx = buildContext({ layers: [[osRelease(DISTROLESS_OS), ...files]], config }, (e) => osReleaseWants(e.path));
    const shells = toolFindings(ctx).filter((f) => f.category === "shell");
    expect(shells.length).toBeGreaterThan(0);
    const base = classifyBase(ctx);
    expect(base.reasons.some((r) => r.startsWith("no shell"))).toBe(false);
    expect(base.reasons.join("; ")).toContain(shells.map((f) => f.path!).sort()[0]!.split("/").pop()!);
  });

  it("with no shell finding, the label says no shell", () => {
    const ctx = buildContext({ layers: [[osRelease(DISTROLESS_OS), exe("/usr/bin/app")]] }, (e) => osReleaseWants(e.path));
    expect(toolFindings(ctx).filter((f) => f.category === "shell")).toEqual([]);
    expect(classifyBase(ctx).reasons).toContain("no shell");
  });

  it("dpkg-deb alone is an OS package manager", () => {
    expect(classify([[osRelease(DEBIAN_OS), exe("/usr/bin/dpkg-deb")]]).reasons).toContain("package manager dpkg-deb");
  });
});
