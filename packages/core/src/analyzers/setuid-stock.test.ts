import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { runAnalyzer, type ImageSpec, type SpecEntry } from "../testing/image-builder.js";
import { setuidAnalyzer } from "./setuid.js";

const run = (spec: ImageSpec) => runAnalyzer(setuidAnalyzer, spec);
/** "ruleId path severity" per finding; the stock group as "setuid-stock [paths] low". */
const brief = (spec: ImageSpec) =>
  run(spec).map((f) =>
    f.ruleId === "setuid-stock"
      ? `setuid-stock [${(f.evidence!["files"] as Array<{ path: string }>).map((x) => x.path).join(" ")}] ${f.severity}`
      : `${f.ruleId} ${f.path} ${f.severity}`,
  );
const md5 = (s: string) => createHash("md5").update(s).digest("hex");
const sha1b64 = (s: string) => createHash("sha1").update(s).digest("base64");

const SU = "su binary";
const status = (...pkgs: string[]) => pkgs.map((p) => `Package: ${p}\nStatus: install ok installed\nArchitecture: amd64\n`).join("\n");
const dpkg = (pkg: string, paths: string[], sums?: string): SpecEntry[] => [
  { path: "/var/lib/dpkg/status", content: status(pkg) },
  { path: `/var/lib/dpkg/info/${pkg}.list`, content: ["/.", ...paths].join("\n") + "\n" },
  ...(sums === undefined ? [] : [{ path: `/var/lib/dpkg/info/${pkg}.md5sums`, content: sums }]),
];
const su = (over: Partial<SpecEntry> = {}): SpecEntry => ({ path: "/usr/bin/su", mode: 0o4755, content: SU, ...over });
const mergedUsr: SpecEntry[] = [{ path: "/usr/bin/" }, { path: "/bin", type: "symlink", link: "usr/bin" }];

describe("stock setuid files (setuid-stock)", () => {
  it.each<[string, ImageSpec, string[]]>([
    [
      "dpkg .list through the /bin symlink, md5sums matching → grouped low",
      { layers: [[...mergedUsr, su(), ...dpkg("util-linux", ["/bin/su"], `${md5(SU)}  bin/su\n`)]] },
      ["setuid-stock [/usr/bin/su] low"],
    ],
    [
      "dpkg .list without md5sums, same layer → grouped low",
      { layers: [[su(), ...dpkg("util-linux", ["/usr/bin/su"])]] },
      ["setuid-stock [/usr/bin/su] low"],
    ],
    [
      "md5sums not matching the bytes → high",
      { layers: [[su(), ...dpkg("util-linux", ["/usr/bin/su"], `${md5("other")}  usr/bin/su\n`)]] },
      ["setuid-binary /usr/bin/su high"],
    ],
    [
      "a later layer replaced the package's file (no md5sums) → high",
      { layers: [[su(), ...dpkg("util-linux", ["/usr/bin/su"])], [su({ content: "trojan" })]] },
      ["setuid-binary /usr/bin/su high"],
    ],
    [
      "a later layer rewrote it with the same bytes (chmod) → high: dpkg's .list is older",
      { layers: [[su({ mode: 0o755 }), ...dpkg("util-linux", ["/usr/bin/su"], `${md5(SU)}  usr/bin/su\n`)], [su()]] },
      ["setuid-binary /usr/bin/su high"],
    ],
    [
      "the package reinstalled in a later layer (file and .list rewritten together) → grouped low",
      { layers: [[su(), ...dpkg("util-linux", ["/usr/bin/su"])], [su(), ...dpkg("util-linux", ["/usr/bin/su"])]] },
      ["setuid-stock [/usr/bin/su] low"],
    ],
    [
      "a .list of a package the status file does not list as installed → high",
      {
        layers: [[
          su(),
          { path: "/var/lib/dpkg/status", content: "Package: util-linux\nStatus: deinstall ok config-files\n" },
          { path: "/var/lib/dpkg/info/util-linux.list", content: "/usr/bin/su\n" },
        ]],
      },
      ["setuid-binary /usr/bin/su high"],
    ],
    ["no status file at all → high", { layers: [[su(), { path: "/var/lib/dpkg/info/util-linux.list", content: "/usr/bin/su\n" }]] }, ["setuid-binary /usr/bin/su high"]],
    [
      "a fake .list claiming an attacker's setuid file → still high (not a stock name)",
      {
        layers: [
          [su(), ...dpkg("util-linux", ["/usr/bin/su"])],
          [
            { path: "/usr/local/bin/backdoor", mode: 0o4755, content: "x" },
            { path: "/var/lib/dpkg/status", content: status("util-linux", "evil") },
            { path: "/var/lib/dpkg/info/evil.list", content: "/usr/local/bin/backdoor\n" },
          ],
        ],
      },
      ["setuid-binary /usr/local/bin/backdoor high", "setuid-stock [/usr/bin/su] low"],
    ],
    [
      "a stock name outside the distribution's directories → high",
      { layers: [[{ path: "/opt/su", mode: 0o4755, content: SU }, ...dpkg("util-linux", ["/opt/su"])]] },
      ["setuid-binary /opt/su high"],
    ],
    ["world-writable stock file → high", { layers: [[su({ mode: 0o4757 }), ...dpkg("util-linux", ["/usr/bin/su"])]] }, ["setuid-binary /usr/bin/su high"]],
    ["group-writable stock file → high", { layers: [[su({ mode: 0o4775 }), ...dpkg("util-linux", ["/usr/bin/su"])]] }, ["setuid-binary /usr/bin/su high"]],
    [
      "stock file a package claims but owned by uid 1000 → high",
      { layers: [[su({ uid: 1000 }), ...dpkg("util-linux", ["/usr/bin/su"])]] },
      ["setuid-binary /usr/bin/su high"],
    ],
    [
      "unowned setuid file owned by uid 1000 that others can write → high",
      { layers: [[{ path: "/opt/app/helper", mode: 0o4777, uid: 1000, content: "x" }]] },
      ["setuid-binary /opt/app/helper high"],
    ],
    [
      "setgid stock file (chage, group shadow) joins the group",
      { layers: [[{ path: "/usr/bin/chage", mode: 0o2755, gid: 42, content: "c" }, su(), ...dpkg("passwd", ["/usr/bin/chage", "/usr/bin/su"])]] },
      ["setuid-stock [/usr/bin/chage /usr/bin/su] low"],
    ],
    [
      "an unreadable status file → high, ownership unknown",
      { layers: [[su(), { path: "/var/lib/dpkg/status", content: "\0\0\0" }, { path: "/var/lib/dpkg/info/util-linux.list", content: "/usr/bin/su\n" }]] },
      ["setuid-binary /usr/bin/su high"],
    ],
  ])("%s", (_name, spec, want) => {
    expect(brief(spec)).toEqual(want);
  });

  it("lists every stock file with its mode, owner, package and how it was verified", () => {
    const [f] = run({ layers: [[...mergedUsr, su(), ...dpkg("util-linux", ["/bin/su"], `${md5(SU)}  bin/su\n`)]] });
    expect(f).toEqual({
      ruleId: "setuid-stock",
      category: "setuid",
      severity: "low",
      message: "1 stock setuid/setgid file as installed by the distribution's packages: /usr/bin/su",
      layer: 0,
      inFinalImage: true,
      evidence: {
        files: [{ path: "/usr/bin/su", mode: "-rwsr-xr-x", octal: "4755", owner: "0:0", package: "util-linux", verifiedBy: "md5 digest" }],
        fileLayers: { "/usr/bin/su": 0 },
      },
    });
  });

  it("says why a stock-named file is not stock, and names the package that claims it", () => {
    const [f] = run({ layers: [[su(), ...dpkg("util-linux", ["/usr/bin/su"])], [su({ content: "trojan" })]] });
    expect(f!.message).toBe("setuid file /usr/bin/su owned by 0:0 (-rwsr-xr-x), from package util-linux");
    expect(f!.evidence).toMatchObject({ package: "util-linux", notStock: "written by layer 1, not by layer 0 that wrote /var/lib/dpkg/info/util-linux.list" });
    const [g] = run({ layers: [[su(), { path: "/var/lib/dpkg/status", content: "\0" }]] });
    expect(g!.evidence!["notStock"]).toBe("package ownership unknown (/var/lib/dpkg/status: not a text file)");
  });

  it("checks the digest of a stock name reached through a hardlink (read whole in the second look)", () => {
    const layers = (bytes: string): ImageSpec => ({
      layers: [[
        { path: "/usr/lib/login/real-su", mode: 0o4755, content: bytes },
        { path: "/usr/bin/su", type: "hardlink", link: "/usr/lib/login/real-su", mode: 0o4755 },
        ...dpkg("util-linux", ["/usr/bin/su"], `${md5(SU)}  usr/bin/su\n`),
      ]],
    });
    expect(brief(layers(SU))).toEqual(["setuid-binary /usr/lib/login/real-su high", "setuid-stock [/usr/bin/su] low"]);
    expect(brief(layers("trojan"))).toEqual(["setuid-binary /usr/bin/su high", "setuid-binary /usr/lib/login/real-su high"]);
  });

  it("an rpm database over its read limit lowers nothing, and the finding says so", () => {
    const [f] = run({ layers: [[su(), { path: "/var/lib/rpm/rpmdb.sqlite", size: 40 * 1024 * 1024 }]] });
    expect(f).toMatchObject({ ruleId: "setuid-binary", severity: "high" });
    expect(f!.evidence!["notStock"]).toBe("package ownership unknown (/var/lib/rpm/rpmdb.sqlite: over the 32 MiB read limit)");
  });

  it("an rpm sqlite database with a non-empty write-ahead log is not trusted", () => {
    const [f] = run({ layers: [[su(), { path: "/var/lib/rpm/rpmdb.sqlite", content: "x" }, { path: "/var/lib/rpm/rpmdb.sqlite-wal", content: "wal" }]] });
    expect(f!.evidence!["notStock"]).toBe("package ownership unknown (/var/lib/rpm/rpmdb.sqlite: its write-ahead log (rpmdb.sqlite-wal) is not empty)");
  });

  it("reads distroless status.d stanzas and their md5sums", () => {
    const spec: ImageSpec = {
      layers: [[
        su(),
        { path: "/var/lib/dpkg/status.d/util-linux", content: "Package: util-linux\nVersion: 2.38\n" },
        { path: "/var/lib/dpkg/status.d/util-linux.md5sums", content: `${md5(SU)}  usr/bin/su\n` },
      ]],
    };
    expect(brief(spec)).toEqual(["setuid-stock [/usr/bin/su] low"]);
  });

  describe("apk", () => {
    const BB = "bbsuid binary";
    const installed = (mode: string | undefined, z = `Q1${sha1b64(BB)}`) =>
      `C:Q1abc=\nP:busybox-suid\nV:1.36.1-r15\nF:bin\nR:bbsuid\n${mode === undefined ? "" : `a:0:0:${mode}\n`}Z:${z}\n\n`;
    const bbsuid = (mode = 0o4111): SpecEntry => ({ path: "/bin/bbsuid", mode, content: BB });
    it.each<[string, ImageSpec, string[]]>([
      ["Z: checksum and a: mode matching → grouped low", { layers: [[bbsuid(), { path: "/lib/apk/db/installed", content: installed("4111") }]] }, ["setuid-stock [/bin/bbsuid] low"]],
      [
        "database rewritten by a later apk add: still stock (checksum)",
        { layers: [[bbsuid(), { path: "/lib/apk/db/installed", content: installed("4111") }], [{ path: "/lib/apk/db/installed", content: installed("4111") + "P:curl\nF:usr/bin\nR:curl\n" }]] },
        ["setuid-stock [/bin/bbsuid] low"],
      ],
      ["the package records no setuid bit (no a:) → high", { layers: [[bbsuid(), { path: "/lib/apk/db/installed", content: installed(undefined) }]] }, ["setuid-binary /bin/bbsuid high"]],
      [
        "checksum not matching → high",
        { layers: [[bbsuid(), { path: "/lib/apk/db/installed", content: installed("4111", `Q1${sha1b64("other")}`) }]] },
        ["setuid-binary /bin/bbsuid high"],
      ],
    ])("%s", (_name, spec, want) => {
      expect(brief(spec)).toEqual(want);
    });
  });
});
