import { describe, expect, it } from "vitest";
import { buildContext } from "../testing/image-builder.js";
import {
  accountFileWants,
  parseGoInt,
  parseGroup,
  parsePasswd,
  parseShadow,
  readAccountFile,
  readPasswd,
} from "./passwd.js";

describe("parsePasswd", () => {
  it("parses fields, skips blanks and comments, numbers lines", () => {
    const text = "# comment\nroot:x:0:0:root:/root:/bin/bash\n\n  app:x:1000:1001:App,,,:/home/app:/bin/sh  \n";
    expect(parsePasswd(text)).toEqual([
      { name: "root", password: "x", uid: 0, gid: 0, uidNumeric: true, gecos: "root", home: "/root", shell: "/bin/bash", line: 2 },
      { name: "app", password: "x", uid: 1000, gid: 1001, uidNumeric: true, gecos: "App,,,", home: "/home/app", shell: "/bin/sh", line: 4 },
    ]);
  });

  it("missing trailing fields are empty; a bad number reads as 0 (moby)", () => {
    const [short, bad] = parsePasswd("short:x:5\nbad:x:abc:1::/:/bin/sh");
    expect(short).toMatchObject({ name: "short", uid: 5, gid: 0, shell: "", uidNumeric: true });
    expect(bad).toMatchObject({ name: "bad", uid: 0, uidNumeric: false });
  });

  it("handles CRLF files", () => {
    expect(parsePasswd("root:x:0:0::/root:/bin/sh\r\n")[0]!.shell).toBe("/bin/sh");
  });
});

describe("parseGoInt", () => {
  it.each<[string, number | undefined]>([
    ["0", 0], ["00", 0], ["+7", 7], ["-1", -1], ["1000", 1000], ["", undefined], ["1e3", undefined], [" 1", undefined], ["x", undefined],
  ])("%j → %s", (s, n) => expect(parseGoInt(s)).toBe(n));
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
    expect(readAccountFile(ctx, "/etc/passwd")?.entry.layer).toBe(1);
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
    expect(readAccountFile(ctx, "/etc/passwd")).toMatchObject({ text: undefined });
  });
});
