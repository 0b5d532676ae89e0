import { describe, expect, it } from "vitest";
import { buildContext } from "../testing/image-builder.js";
import {
  accountFileWants,
  parseGoInt,
  parseGroup,
  parsePasswdBytes,
  parsePasswd,
  parseShadow,
  readAccountFile,
  readPasswd,
} from "./passwd.js";

describe("parsePasswd (runc's ParsePasswdFilter)", () => {
  it("parses fields, skips blank lines, numbers lines; no comment syntax", () => {
    const text = "# comment\nroot:x:0:0:root:/root:/bin/bash\n\n  app:x:1000:1001:App,,,:/home/app:/bin/sh  \n";
    expect(parsePasswd(text).map(({ name, uid, gid, shell, line }) => ({ name, uid, gid, shell, line }))).toEqual([
      { name: "# comment", uid: 0, gid: 0, shell: "", line: 1 },
      { name: "root", uid: 0, gid: 0, shell: "/bin/bash", line: 2 },
      { name: "app", uid: 1000, gid: 1001, shell: "/bin/sh", line: 4 },
    ]);
    expect(parsePasswd(text)[2]).toMatchObject({ password: "x", gecos: "App,,,", home: "/home/app", uidNumeric: true });
  });

  it("a #root line is an account named #root", () => {
    expect(parsePasswd("#root:x:0:0::/:/bin/sh\n")[0]).toMatchObject({ name: "#root", key: "#root", uid: 0 });
  });

  it("missing trailing fields are empty; a bad number reads as 0, an out-of-range one clamps", () => {
    const [short, bad, big, neg] = parsePasswd("short:x:5\nbad:x:abc:1::/:/bin/sh\nbig:x:99999999999999999999:0\nneg:x:-4294967296:0");
    expect(short).toMatchObject({ name: "short", uid: 5, gid: 0, shell: "", uidNumeric: true });
    expect(bad).toMatchObject({ name: "bad", uid: 0, uidNumeric: false });
    expect(big).toMatchObject({ uidValue: 9223372036854775807n, uid32: 4294967295, uidNumeric: false });
    expect(neg).toMatchObject({ uidValue: -4294967296n, uid32: 0, uidNumeric: true });
  });

  it("handles CRLF files; trims Go's white space (U+0085, U+3000) but not U+FEFF", () => {
    expect(parsePasswd("root:x:0:0::/root:/bin/sh\r\n")[0]!.shell).toBe("/bin/sh");
    expect(parsePasswd("\u0085a:x:1:1\u0085\n")[0]).toMatchObject({ name: "a", gid: 1 });
    expect(parsePasswd("\u3000a:x:1:1\u3000\n")[0]).toMatchObject({ name: "a", gid: 1 });
    expect(parsePasswd("\ufeffa:x:1:1\n")[0]).toMatchObject({ name: "\ufeffa" });
  });

  it("names are compared as bytes: invalid UTF-8 stays distinct", () => {
    const file = parsePasswdBytes(Uint8Array.from([0xff, 0x3a, 0x78, 0x3a, 0x31, 0x0a, 0xfe, 0x3a, 0x78, 0x3a, 0x32, 0x0a]));
    expect(file.entries.map((e) => e.key)).toEqual(["\u00ff", "\u00fe"]);
    expect(file.entries.map((e) => e.uid)).toEqual([1, 2]);
  });

  it("a line over 64 KiB stops the parse where the runtime's scanner fails", () => {
    const ok = `a:x:7:0\n${"b".repeat(65535)}\nc:x:0:0\n`;
    expect(parsePasswdBytes(Buffer.from(ok))).toEqual({ entries: expect.any(Array) });
    expect(parsePasswdBytes(Buffer.from(ok)).entries.map((e) => e.name)).toEqual(["a", "b".repeat(65535), "c"]);
    const long = parsePasswdBytes(Buffer.from(`a:x:7:0\n${"b".repeat(65536)}\nc:x:0:0\n`));
    expect(long.stop).toEqual({ why: "line-too-long", line: 2 });
    expect(long.entries.map((e) => e.name)).toEqual(["a"]);
    // "\r" counts; a last line without "\n" needs one byte less.
    expect(parsePasswdBytes(Buffer.from(`${"b".repeat(65534)}\r\n`)).stop).toBeUndefined();
    expect(parsePasswdBytes(Buffer.from(`${"b".repeat(65535)}\r\n`)).stop?.why).toBe("line-too-long");
    expect(parsePasswdBytes(Buffer.from("b".repeat(65535))).stop).toBeUndefined();
    expect(parsePasswdBytes(Buffer.from("b".repeat(65536))).stop?.why).toBe("line-too-long");
  });

  it("a truncated capture leaves out its last, partial line", () => {
    const f = parsePasswdBytes(Buffer.from("a:x:1:1\ntoor:x:1"), false);
    expect(f).toMatchObject({ stop: { why: "truncated", line: 2 } });
    expect(f.entries.map((e) => e.name)).toEqual(["a"]);
  });
});

describe("parseGroup and parseShadow", () => {
  it("group members are a comma list", () => {
    expect(parseGroup("root:x:0:\nwheel:x:10:alice,bob\n")).toEqual([
      { name: "root", password: "x", gid: 0, members: [], line: 1 },
      { name: "wheel", password: "x", gid: 10, members: ["alice", "bob"], line: 2 },
    ]);
  });

  it("shadow keeps the hash field as is", () => {
    expect(parseShadow("root:::0:::::\nbin:!:19000::::::\napp:$6$salt$hash:19000:0:99999:7:::\n")).toEqual([
      { name: "root", password: "", line: 1 },
      { name: "bin", password: "!", line: 2 },
      { name: "app", password: "$6$salt$hash", line: 3 },
    ]);
  });
});

describe("reading the final files", () => {
  const wants = (e: { path: string }) => accountFileWants(e.path);

  it("wants exactly the three databases", () => {
    expect(["/etc/passwd", "/etc/group", "/etc/shadow"].map(accountFileWants).every((n) => n > 0)).toBe(true);
    expect(["/etc/passwd-", "/etc/gshadow", "/root/etc/passwd"].map(accountFileWants)).toEqual([0, 0, 0]);
  });

  it("the later layer's version wins", () => {
    const ctx = buildContext(
      { layers: [[{ path: "/etc/passwd", content: "a:x:1:1::/:/bin/sh\n" }], [{ path: "/etc/passwd", content: "b:x:2:2::/:/bin/sh\n" }]] },
      wants,
    );
    expect(readPasswd(ctx)?.map((p) => p.name)).toEqual(["b"]);
    expect(readAccountFile(ctx, "/etc/passwd")).toMatchObject({ entry: { layer: 1 } });
  });

  it("a whiteout removes it", () => {
    const ctx = buildContext({ layers: [[{ path: "/etc/passwd", content: "a:x:1:1::/:/bin/sh\n" }], [{ path: "/etc/.wh.passwd" }]] }, wants);
    expect(readAccountFile(ctx, "/etc/passwd")).toBeUndefined();
    expect(readPasswd(ctx)).toBeUndefined();
  });

  it("an opaque /etc removes it", () => {
    const ctx = buildContext(
      { layers: [[{ path: "/etc/passwd", content: "a:x:1:1::/:/bin/sh\n" }], [{ path: "/etc/.wh..wh..opq" }, { path: "/etc/hostname", content: "h" }]] },
      wants,
    );
    expect(readPasswd(ctx)).toBeUndefined();
  });

  it("a file present but not captured has no text", () => {
    const ctx = buildContext({ layers: [[{ path: "/etc/passwd", content: "a:x:1:1::/:/bin/sh\n" }]] });
    expect(readAccountFile(ctx, "/etc/passwd")).toMatchObject({ text: undefined, bytes: undefined, complete: false });
  });
});
