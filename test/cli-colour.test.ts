// Colour follows the conventions: on for a terminal, off for a pipe;
// NO_COLOR set to a non-empty value turns it off and an empty one counts
// as unset (https://no-color.org); FORCE_COLOR forces it, even piped, and
// FORCE_COLOR=0 turns it off, as Node reads it
// (https://nodejs.org/api/cli.html#force_color1-2-3); TERM=dumb turns it
// off. On a real pseudo-terminal through script(1) from util-linux.
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath, fixturesOut, runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/gate.js";

const demo = `${fixturesOut}/demo.oci`;
// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[\d+m/;
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Colour-related variables removed, then `env` set: the test decides each one. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env, CI: "" };
  for (const k of ["NO_COLOR", "FORCE_COLOR", "TERM", "CLICOLOR", "CLICOLOR_FORCE"]) delete out[k];
  return { ...out, ...env };
}

/** The CLI's stdout and stderr on a pseudo-terminal (`script -qec CMD /dev/null`), with the given environment. */
function onTerminal(args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  const command = [process.execPath, cliPath, ...args].map(quote).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], { env: cleanEnv(env), stdio: ["pipe", "pipe", "inherit"] });
    const out: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, output: Buffer.concat(out).toString("utf8").replace(/\r\n/g, "\n") }));
    child.stdin.end();
  });
}

describe("colour on a terminal", () => {
  let plain: string;
  beforeAll(async () => {
    plain = (await runCli(["scan", demo])).stdout;
    expect(plain).not.toMatch(SGR);
  });

  it("is on for a terminal, and the text is the piped report's with SGR codes added", async () => {
    const r = await onTerminal(["scan", demo], { TERM: "xterm" });
    expect(r.code).toBe(0);
    expect(r.output).toMatch(SGR);
    // eslint-disable-next-line no-control-regex
    expect(r.output.replace(/\x1b\[\d+m/g, "")).toBe(plain);
  });

  it.each<[string, Record<string, string>, boolean]>([
    ["NO_COLOR=1", { TERM: "xterm", NO_COLOR: "1" }, false],
    ["NO_COLOR= (empty, as unset)", { TERM: "xterm", NO_COLOR: "" }, true],
    ["TERM=dumb", { TERM: "dumb" }, false],
    ["FORCE_COLOR=0", { TERM: "xterm", FORCE_COLOR: "0" }, false],
    ["FORCE_COLOR=false", { TERM: "xterm", FORCE_COLOR: "false" }, false],
    ["FORCE_COLOR=1 with NO_COLOR=1 (FORCE_COLOR wins, as in Node)", { TERM: "xterm", FORCE_COLOR: "1", NO_COLOR: "1" }, true],
    ["FORCE_COLOR=1 with TERM=dumb", { TERM: "dumb", FORCE_COLOR: "1" }, true],
  ])("%s", async (_name, env, coloured) => {
    const r = await onTerminal(["scan", demo], env);
    expect(r.code).toBe(0);
    if (coloured) expect(r.output).toMatch(SGR);
    else expect(r.output).toBe(plain);
  });

  it("errors and warnings on stderr stay plain", async () => {
    const r = await onTerminal(["scan", `${fixturesOut}/no-such-image.oci`], { TERM: "xterm" });
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/^error: /);
    expect(r.output).not.toMatch(SGR);
  });
});

describe("colour when piped or written to a file", () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    tmp = await tempDir("layerlint-colour-");
  });
  afterAll(async () => tmp.cleanup());

  it.each<[string, Record<string, string>, boolean]>([
    ["no variable", {}, false],
    ["FORCE_COLOR=1", { FORCE_COLOR: "1" }, true],
    ["FORCE_COLOR= (empty, on as in Node)", { FORCE_COLOR: "" }, true],
    ["FORCE_COLOR=3", { FORCE_COLOR: "3" }, true],
    ["FORCE_COLOR=0", { FORCE_COLOR: "0" }, false],
  ])("piped, %s", async (_name, env, coloured) => {
    const r = await runCli(["scan", demo], { env: { NO_COLOR: "", ...env } });
    expect(r.code).toBe(0);
    expect(SGR.test(r.stdout)).toBe(coloured);
  });

  it("a report file (-o, --report text=) stays plain even under FORCE_COLOR, on a terminal too", async () => {
    const file = `${tmp.dir}/out.txt`;
    const report = `${tmp.dir}/report.txt`;
    const r = await onTerminal(["scan", demo, "-o", file, "--report", `text=${report}`], { TERM: "xterm", FORCE_COLOR: "1" });
    expect(r.code).toBe(0);
    const plain = (await runCli(["scan", demo])).stdout;
    expect(await readFile(file, "utf8")).toBe(plain);
    expect(await readFile(report, "utf8")).toBe(plain);
  });
});
