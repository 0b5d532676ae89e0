import { describe, expect, it } from "vitest";
import { runAnalyzer, type ImageSpec } from "../testing/image-builder.js";
import type { ContainerConfig } from "../types.js";
import { configAnalyzer, redactCommand, referenceParts, shellScript } from "./config-checks.js";

const HEALTHY: ContainerConfig = { Healthcheck: { Test: ["CMD", "/app", "health"] } };

function run(config: Partial<ContainerConfig>, image?: ImageSpec["image"]) {
  return runAnalyzer(configAnalyzer, { layers: [[{ path: "/app", content: "x" }]], config: { ...HEALTHY, ...config }, image });
}
const ids = (config: Partial<ContainerConfig>, image?: ImageSpec["image"]) => run(config, image).map((f) => f.ruleId);

describe("shellScript", () => {
  it.each<[string[], string | undefined]>([
    [["/bin/sh", "-c", "exec app"], "exec app"],
    [["/bin/bash", "-c", "app && x"], "app && x"],
    [["sh", "-c", "app"], "app"],
    [["/usr/bin/dash", "-c", "app", "arg0"], "app"],
    [["/bin/bash", "-o", "pipefail", "-c", "a | b"], "a | b"],
    [["/bin/sh", "-ec", "app"], "app"],
    [["bash", "--login", "-c", "app"], "app"],
    [["cmd", "/S", "/C", "app.exe", "--x"], "app.exe --x"],
    [["C:\\Windows\\System32\\cmd.exe", "/c", "app.exe"], "app.exe"],
    // exec form
    [["/app", "-c", "cfg"], undefined],
    [["/bin/sh", "/entrypoint.sh"], undefined],
    [["/bin/sh"], undefined],
    [["/bin/sh", "-c"], undefined],
    [["/usr/bin/tini", "--", "/app"], undefined],
    [["cmd"], undefined],
    [["/bin/shx", "-c", "a"], undefined],
  ])("%j → %j", (argv, script) => expect(shellScript(argv)).toBe(script));

  it("honours the image's SHELL", () => {
    const shell = ["powershell", "-Command"];
    expect(shellScript(["powershell", "-Command", "Start-App", "-Now"], shell)).toBe("Start-App -Now");
    expect(shellScript(["powershell", "-File", "x.ps1"], shell)).toBeUndefined();
  });
});

describe("redactCommand", () => {
  it("truncates to 80 characters", () => {
    const out = redactCommand("echo " + "a ".repeat(100));
    expect(out).toHaveLength(80);
    expect(out.endsWith("…")).toBe(true);
  });

  it("masks URL passwords and long token-like words", () => {
    // redactText's rule: at most a quarter (and at most 4 characters) of a value survives.
    expect(redactCommand("curl https://bob:hunter2@example.com/x")).toBe("curl https://bob:h…@example.com/x");
    expect(redactCommand("app --token ghp_abcdefghij1234567890ABCDEFGHIJ")).toBe("app --token ghp_…");
    expect(redactCommand("PGPASSWORD=hunter2pw psql; mysql -pTopSecretPw")).not.toMatch(/hunter2|TopSecret/);
    expect(redactCommand("exec /usr/local/bin/some-long-server-name")).toBe("exec /usr/local/bin/some-long-server-name");
  });
});

describe("configAnalyzer: shell form", () => {
  it.each<[Partial<ContainerConfig>, string[]]>([
    [{ Cmd: ["/bin/sh", "-c", "node server.js"] }, ["Cmd"]],
    [{ Entrypoint: ["/bin/sh", "-c", "exec app"] }, ["Entrypoint"]],
    [{ Entrypoint: ["/bin/sh", "-c"], Cmd: ["exec app"] }, ["Entrypoint"]],
    [{ Entrypoint: ["/bin/sh", "-c", "x"], Cmd: ["sh", "-c", "y"] }, ["Entrypoint", "Cmd"]],
    [{ Entrypoint: ["/usr/bin/tini", "--"], Cmd: ["/bin/sh", "-c", "app"] }, ["Cmd"]],
    [{ Cmd: ["cmd", "/S", "/C", "app.exe"] }, ["Cmd"]],
    [{ Cmd: ["node", "server.js"] }, []],
    [{ Entrypoint: ["/docker-entrypoint.sh"], Cmd: ["nginx", "-g", "daemon off;"] }, []],
    [{ Entrypoint: null, Cmd: null }, []],
    [{}, []],
  ])("%j → %j", (config, fields) => {
    const findings = run(config).filter((f) => f.ruleId === "shell-form-command");
    expect(findings.map((f) => f.evidence?.["field"])).toEqual(fields);
    for (const f of findings) expect(f).toMatchObject({ category: "config", severity: "low", layer: null, inFinalImage: true });
  });

  it("evidence holds the (truncated) script", () => {
    const [f] = run({ Cmd: ["/bin/sh", "-c", "exec node server.js"] });
    expect(f!.evidence).toEqual({ field: "Cmd", command: "exec node server.js" });
    const [g] = run({ Cmd: ["/bin/sh", "-c", "x".repeat(500)] });
    expect((g!.evidence!["command"] as string).length).toBe(80);
  });
});

describe("configAnalyzer: healthcheck", () => {
  it.each<[ContainerConfig["Healthcheck"], boolean]>([
    [undefined, true],
    [{ Test: ["NONE"] }, true],
    [{ Test: [] }, true],
    [{}, true],
    [{ Test: ["CMD", "/app", "health"] }, false],
    [{ Test: ["CMD-SHELL", "curl -f http://localhost/ || exit 1"] }, false],
  ])("%j → finding %s", (hc, hit) => {
    const findings = run({ Healthcheck: hc }).filter((f) => f.ruleId === "no-healthcheck");
    expect(findings.length).toBe(hit ? 1 : 0);
    if (hit) expect(findings[0]).toMatchObject({ category: "config", severity: "info", layer: null, inFinalImage: true });
  });
});

describe("configAnalyzer: port 22", () => {
  it.each<[Record<string, unknown>, string[]]>([
    [{ "22": {} }, ["22"]],
    [{ "22/tcp": {} }, ["22/tcp"]],
    [{ "22/TCP": {}, "80/tcp": {} }, ["22/TCP"]],
    [{ "22/udp": {} }, []],
    [{ "2222/tcp": {} }, []],
    [{ "222/tcp": {}, "122": {} }, []],
    [{ "8080/tcp": {} }, []],
    [{}, []],
  ])("%j → %j", (ports, expected) => {
    const findings = run({ ExposedPorts: ports }).filter((f) => f.ruleId === "ssh-port-exposed");
    expect(findings.map((f) => f.evidence?.["port"])).toEqual(expected);
    for (const f of findings) expect(f).toMatchObject({ severity: "medium", layer: null, inFinalImage: true });
  });
});

describe("configAnalyzer: reference", () => {
  it.each<[string, string | undefined, string | undefined]>([
    ["docker.io/library/nginx:latest", "latest", undefined],
    ["localhost:5000/app", undefined, undefined],
    ["localhost:5000/app:1.2", "1.2", undefined],
    ["registry.example.com/a/b:v1@sha256:abcd", "v1", "sha256:abcd"],
    ["nginx@sha256:abcd", undefined, "sha256:abcd"],
  ])("referenceParts(%j) → tag %s, digest %s", (ref, tag, digest) => {
    expect(referenceParts(ref)).toEqual({ ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) });
  });

  it.each<[ImageSpec["image"], string[]]>([
    [{ reference: "docker.io/library/nginx:latest", pinned: false }, ["latest-tag"]],
    [{ reference: "docker.io/library/nginx:latest" }, ["latest-tag"]],
    [{ reference: "localhost:5000/app", pinned: false }, ["unpinned-reference"]],
    [{ reference: "docker.io/library/nginx:1.25", pinned: false }, []],
    [{ reference: "docker.io/library/nginx:latest@sha256:" + "a".repeat(64), pinned: true }, []],
    [{ reference: "docker.io/library/nginx@sha256:" + "a".repeat(64), pinned: true }, []],
    [{ reference: "docker.io/library/nginx:latest", pinned: true }, []],
    [undefined, []], // local input: no reference, no finding
    [{ reference: undefined, pinned: false }, []],
  ])("%j → %j", (image, expected) => {
    expect(ids({}, image)).toEqual(expected);
  });

  it("severities: latest-tag medium, unpinned-reference low", () => {
    expect(run({}, { reference: "r.io/a:latest" })[0]).toMatchObject({ severity: "medium", layer: null, inFinalImage: true });
    expect(run({}, { reference: "r.io/a" })[0]).toMatchObject({ severity: "low", evidence: { reference: "r.io/a", tag: null } });
  });
});

describe("configAnalyzer: a clean config", () => {
  it("exec form, a health check, no port 22, a pinned reference → nothing", () => {
    expect(ids({ Entrypoint: ["/app"], ExposedPorts: { "8080/tcp": {} } }, { reference: "r.io/a:1@sha256:" + "b".repeat(64), pinned: true })).toEqual([]);
  });

  it("the default docker config of an unconfigured image: only no-healthcheck", () => {
    const findings = runAnalyzer(configAnalyzer, { layers: [[]] });
    expect(findings.map((f) => f.ruleId)).toEqual(["no-healthcheck"]);
  });
});
