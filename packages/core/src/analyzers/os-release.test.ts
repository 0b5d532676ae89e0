import { describe, expect, it } from "vitest";
import { buildContext, type SpecEntry } from "../testing/image-builder.js";
import { osReleaseWants, parseOsRelease, readOsRelease } from "./os-release.js";

const DEBIAN = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
`;
const ALPINE = `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.20.3
PRETTY_NAME="Alpine Linux v3.20"
HOME_URL="https://alpinelinux.org/"
`;

function ctxOf(layers: SpecEntry[][]) {
  return buildContext({ layers }, (e) => osReleaseWants(e.path));
}

describe("parseOsRelease", () => {
  it("Debian", () => {
    const os = parseOsRelease(DEBIAN);
    expect(os).toMatchObject({ id: "debian", versionId: "12", name: "Debian GNU/Linux", prettyName: "Debian GNU/Linux 12 (bookworm)" });
    expect(os.fields["VERSION_CODENAME"]).toBe("bookworm");
    expect(os.idLike).toBeUndefined();
  });

  it("Alpine, unquoted values", () => {
    expect(parseOsRelease(ALPINE)).toMatchObject({ id: "alpine", versionId: "3.20.3", prettyName: "Alpine Linux v3.20" });
  });

  it("Ubuntu ID_LIKE is a list", () => {
    expect(parseOsRelease('ID=ubuntu\nID_LIKE="debian foo"\nVERSION_ID="24.04"').idLike).toEqual(["debian", "foo"]);
  });

  it.each<[string, string]>([
    ['X="a \\"b\\" \\$c \\\\ d"', 'a "b" $c \\ d'],
    ["X='single $quoted'", "single $quoted"],
    ["X=bare\\ word", "bare word"],
    ['X="joined"parts', "joinedparts"],
    ["X=value # trailing comment", "value"],
    ["X=", ""],
    ['X="unterminated', "unterminated"],
  ])("%s → %j", (line, value) => {
    expect(parseOsRelease(line).fields["X"]).toBe(value);
  });

  it("skips comments, blanks, CRLF and junk lines", () => {
    const os = parseOsRelease("# c\r\n\r\nnot a pair\r\n=x\r\n1BAD=y\r\nID=fedora\r\nVERSION_ID=40\r\n");
    expect(os.id).toBe("fedora");
    expect(os.versionId).toBe("40");
    expect(Object.keys(os.fields)).toEqual(["ID", "VERSION_ID"]);
  });

  it("ID defaults to linux (os-release(5))", () => {
    expect(parseOsRelease('NAME="Something"').id).toBe("linux");
    expect(parseOsRelease("ID=").id).toBe("linux");
  });
});

describe("osReleaseWants", () => {
  it.each<[string, boolean]>([
    ["/etc/os-release", true],
    ["/usr/lib/os-release", true],
    ["/etc/lsb-release", false],
    ["/opt/etc/os-release", false],
  ])("%s → %s", (p, wanted) => expect(osReleaseWants(p) > 0).toBe(wanted));
});

describe("readOsRelease", () => {
  it("follows the usual /etc/os-release → ../usr/lib/os-release symlink", () => {
    const ctx = ctxOf([
      [
        { path: "/usr/lib/os-release", content: DEBIAN },
        { path: "/etc/os-release", type: "symlink", link: "../usr/lib/os-release" },
      ],
    ]);
    expect(readOsRelease(ctx)).toMatchObject({ id: "debian", versionId: "12" });
  });

  it("a regular /etc/os-release wins over /usr/lib/os-release", () => {
    const ctx = ctxOf([[{ path: "/usr/lib/os-release", content: DEBIAN }, { path: "/etc/os-release", content: ALPINE }]]);
    expect(readOsRelease(ctx)?.id).toBe("alpine");
  });

  it("falls back to /usr/lib/os-release", () => {
    expect(readOsRelease(ctxOf([[{ path: "/usr/lib/os-release", content: ALPINE }]]))?.id).toBe("alpine");
  });

  it("the final version counts: a later layer replaces it", () => {
    const ctx = ctxOf([[{ path: "/etc/os-release", content: DEBIAN }], [{ path: "/etc/os-release", content: ALPINE }]]);
    expect(readOsRelease(ctx)?.id).toBe("alpine");
  });

  it("null when deleted, absent, or a dangling symlink", () => {
    expect(readOsRelease(ctxOf([[{ path: "/etc/os-release", content: DEBIAN }], [{ path: "/etc/.wh.os-release" }]]))).toBeNull();
    expect(readOsRelease(ctxOf([[{ path: "/app", content: "x" }]]))).toBeNull();
    expect(readOsRelease(ctxOf([[{ path: "/etc/os-release", type: "symlink", link: "../usr/lib/os-release" }]]))).toBeNull();
  });

  it("null when the bytes were not captured", () => {
    expect(readOsRelease(buildContext({ layers: [[{ path: "/etc/os-release", content: DEBIAN }]] }))).toBeNull();
  });
});
