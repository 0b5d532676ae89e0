// "Fix first": the text and markdown reports end with the few changes that
// remove the most severe findings, grouped by rule and layer, each with its
// rule's fix. Through the built CLI on a generated image, and on findings
// made here for what the scan alone does not decide (layerRole, ignores).
import { readFile, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archiveOf } from "../fixtures/lib/archive.js";
import { dockerLegacyArchive } from "../fixtures/lib/docker-archive.js";
import { fakeElf } from "../fixtures/lib/fake-bin.js";
import { packImage, type ImageSpec } from "../fixtures/lib/images.js";
import { dir, file } from "../fixtures/lib/tar-pack.js";
import { allRules } from "../packages/core/src/rules/catalogue.js";
import type { Finding } from "../packages/core/src/finding.js";
import { fixActionLine, fixFirst, shortStep } from "../packages/core/src/summary/fix-first.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/gate.js";

const fixOf = (id: string) => allRules.find((r) => r.id === id)!.fix;

function appSpec(): ImageSpec {
  return {
    platform: { architecture: "amd64", os: "linux" },
    config: { Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["/usr/local/bin/hello-server"] },
    steps: [
      {
        createdBy: "/bin/sh -c #(nop) ADD file:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef in / ",
        layer: [dir("etc"), file("etc/os-release", "ID=debian\nVERSION_ID=12\n"), file("etc/passwd", "root:x:0:0:root:/root:/sbin/nologin\n")],
      },
      {
        createdBy: "RUN /bin/sh -c apt-get install -y curl wget # buildkit",
        layer: [dir("usr"), dir("usr/bin"), file("usr/bin/curl", fakeElf("curl", 4096), 0o755), file("usr/bin/wget", fakeElf("wget", 4096), 0o755)],
      },
      {
        createdBy: "COPY hello-server /usr/local/bin/ # buildkit",
        layer: [dir("usr/local"), dir("usr/local/bin"), file("usr/local/bin/hello-server", fakeElf("hello-server", 4096), 0o4755)],
      },
      { createdBy: 'CMD ["/usr/local/bin/hello-server"]' },
    ],
  };
}

let work: { dir: string; cleanup: () => Promise<void> };
let image: string;
beforeAll(async () => {
  work = await tempDir("layerlint-fix-first-");
  image = `${work.dir}/app.docker.tar`;
  await writeFile(image, await archiveOf(dockerLegacyArchive(await packImage(appSpec()), "app:1")));
});
afterAll(() => work.cleanup());

describe("fix first, through the CLI", () => {
  it("the text report ends with the changes, most severe first, each with its rule's fix", async () => {
    const r = await runCli(["scan", image]);
    expect(r.code).toBe(0);
    const tail = r.stdout.slice(r.stdout.lastIndexOf("\nfix first\n") + 1).trimEnd().split("\n");
    expect(tail[0]).toBe("fix first");
    const actions = tail.filter((l) => /^ {2}\d\. /.test(l));
    const fixes = tail.filter((l) => /^ {14}\S/.test(l)).map((l) => l.trim());
    expect(actions[0]).toBe("  1. HIGH     run as a non-root USER [root-user]");
    expect(actions[1]).toBe("  2. HIGH     remove the setuid bit from /usr/local/bin/hello-server (layer 2, your Dockerfile: `COPY hello-server /usr/local/bin/`) [setuid-binary]");
    expect(actions[2]).toBe("  3. MEDIUM   drop curl, wget: installed in layer 1 (your Dockerfile) by `RUN apt-get install -y curl wget` [download-tool-present, 2 findings]");
    expect(fixes.slice(0, 3)).toEqual([fixOf("root-user"), fixOf("setuid-binary"), fixOf("download-tool-present")]);
    expect(actions.length).toBeLessThanOrEqual(5);
    // The last lines of the report.
    expect(r.stdout.endsWith(`${tail[tail.length - 1]}\n`)).toBe(true);
  });

  it("the markdown report ends with the same list", async () => {
    const md = `${work.dir}/app.md`;
    await runCli(["scan", "--report", `markdown=${md}`, image]);
    const text = await readFile(md, "utf8");
    const section = text.slice(text.indexOf("### Fix first"));
    expect(section).toContain("1. **high** run as a non-root USER (`root-user`)\n");
    // Image text is escaped: parentheses and backticks from created_by cannot become markdown.
    expect(section).toContain("2. **high** remove the setuid bit from /usr/local/bin/hello-server \\(layer 2, your Dockerfile: \\`COPY hello-server /usr/local/bin/\\`\\) (`setuid-binary`)\n");
    expect(section).toContain("3. **medium** drop curl, wget: installed in layer 1 \\(your Dockerfile\\) by \\`RUN apt-get install -y curl wget\\` (`download-tool-present`, 2 findings)\n");
    expect(section).toContain(`   ${fixOf("setuid-binary")}\n`);
  });

  it("ignored findings are not in the list", async () => {
    const r = await runCli(["scan", "--ignore", "setuid-binary", image]);
    const tail = r.stdout.slice(r.stdout.lastIndexOf("\nfix first\n"));
    expect(tail).not.toContain("setuid");
    expect(tail).toContain("drop curl, wget");
  });
});

describe("fixFirst", () => {
  const layers = [
    { index: 0, createdBy: "/bin/sh -c #(nop) ADD file:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef in / " },
    { index: 1, createdBy: "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl wget ca-certificates netcat-openbsd # buildkit" },
    { index: 4, createdBy: "COPY hello-server /usr/local/bin/ # buildkit" },
  ];
  const f = (ruleId: string, category: Finding["category"], severity: Finding["severity"], layer: number | null, path?: string, extra: object = {}): Finding =>
    ({ ruleId, category, severity, message: `${ruleId} ${path ?? ""}`.trim(), layer, inFinalImage: true, ...(path ? { path } : {}), ...extra }) as Finding;

  it("says 'your Dockerfile' for an application layer and 'base image' for a base one", () => {
    const actions = fixFirst(
      [
        f("setuid-binary", "setuid", "high", 4, "/usr/local/bin/hello-server", { layerRole: "app" }),
        f("setuid-binary", "setuid", "medium", 0, "/usr/bin/passwd", { layerRole: "base" }),
      ],
      layers,
    );
    expect(actions.map(fixActionLine)).toEqual([
      "remove the setuid bit from /usr/local/bin/hello-server (layer 4, your Dockerfile: `COPY hello-server /usr/local/bin/`)",
      "remove the setuid bit from /usr/bin/passwd (layer 0, base image: `ADD file:0123456789ab… in /`)",
    ]);
  });

  it("groups by rule and layer, ranks by severity then count, shows at most five, and leaves out ignored findings and analysis gaps", () => {
    const findings = [
      f("shell-present", "shell", "medium", 1, "/usr/bin/bash", { evidence: { tool: "bash" } }),
      f("download-tool-present", "download-tool", "medium", 1, "/usr/bin/curl", { evidence: { tool: "curl" } }),
      f("download-tool-present", "download-tool", "medium", 1, "/usr/bin/wget", { evidence: { tool: "wget" } }),
      f("download-tool-present", "download-tool", "medium", 1, "/usr/bin/wget2", { evidence: { tool: "wget" } }),
      f("network-tool-present", "network-tool", "medium", 1, "/usr/bin/nc", { evidence: { tool: "nc" }, suppressed: { kind: "ignore", reason: "--ignore" } }),
      f("secret-private-key", "secret", "critical", 4, "/app/key.pem"),
      f("layer-unreadable", "analysis", "critical", 1),
      f("world-writable-file", "permissions", "medium", 4, "/app/a"),
      f("world-writable-file", "permissions", "medium", 4, "/app/b"),
      f("interpreter-present", "interpreter", "low", 1, "/usr/bin/perl", { evidence: { tool: "perl" } }),
      f("no-healthcheck", "config", "info", null),
    ];
    const actions = fixFirst(findings, layers);
    expect(actions.map((a) => [a.ruleId, a.severity, a.count])).toEqual([
      ["secret-private-key", "critical", 1],
      ["download-tool-present", "medium", 3],
      ["world-writable-file", "medium", 2],
      ["shell-present", "medium", 1],
      ["interpreter-present", "low", 1],
    ]);
    expect(fixActionLine(actions[1]!)).toBe(
      "drop curl, wget: installed in layer 1 by `RUN apt-get update && apt-get install -y --no-install-recom…`",
    );
    expect(fixActionLine(actions[2]!)).toBe("remove the write bit for others from /app/a, /app/b (layer 4: `COPY hello-server /usr/local/bin/`)");
    expect(fixFirst(findings, layers, { max: 10 }).map((a) => a.ruleId)).toEqual([
      "secret-private-key",
      "download-tool-present",
      "world-writable-file",
      "shell-present",
      "interpreter-present",
      "no-healthcheck",
    ]);
  });

  it("lists a few paths of a large group and says how many more", () => {
    const many = Array.from({ length: 7 }, (_, i) => f("setgid-binary", "setgid", "low", 0, `/usr/bin/g${i}`));
    const [a] = fixFirst(many, layers);
    expect(a!.change).toBe("remove the setgid bit from /usr/bin/g0, /usr/bin/g1, /usr/bin/g2 and 4 more");
    expect(a!.count).toBe(7);
  });

  it("shortStep reads created_by lines as they were written", () => {
    expect(shortStep("/bin/sh -c #(nop)  CMD [\"app\"]")).toBe('CMD ["app"]');
    expect(shortStep("/bin/sh -c apt-get install -y curl")).toBe("RUN apt-get install -y curl");
    expect(shortStep("RUN /bin/sh -c make `uname -m` # buildkit")).toBe("RUN make 'uname -m'");
  });
});
