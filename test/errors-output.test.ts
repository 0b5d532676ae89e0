// Output-file errors, through the built CLI: -o, --report and
// --write-baseline into a missing directory, onto a directory, or into
// a file where a directory should be, are each one line naming the flag,
// and are found before the scan starts (an input that does not exist is
// not even looked at), so nothing is left half-written.
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixturesOut, runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/gate.js";

const demo = `${fixturesOut}/demo.oci`;
let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir("layerlint-errors-output-");
  await writeFile(join(tmp.dir, "plain-file"), "x");
  await mkdir(join(tmp.dir, "a-dir"));
});
afterAll(() => tmp.cleanup());

describe("output files are checked before the scan", () => {
  const cases = (d: string) => [
    { args: ["-o", `${d}/missing/out.txt`], line: `-o ${d}/missing/out.txt: directory ${d}/missing does not exist` },
    { args: ["--report", `sarif=${d}/missing/x.sarif`], line: `--report sarif=${d}/missing/x.sarif: directory ${d}/missing does not exist` },
    { args: ["--write-baseline", `${d}/missing/b.json`], line: `--write-baseline ${d}/missing/b.json: directory ${d}/missing does not exist` },
    { args: ["--report", `junit=${d}/a-dir`], line: `--report junit=${d}/a-dir: is a directory` },
    { args: ["-o", `${d}/plain-file/out.txt`], line: `-o ${d}/plain-file/out.txt: ${d}/plain-file is not a directory` },
  ];

  it("each is one line naming the flag, exit 2, nothing on stdout", async () => {
    for (const c of cases(tmp.dir)) {
      for (const cmd of c.args[0] === "-o" ? ["scan", "files", "info"] : ["scan"]) {
        const r = await runCli([cmd, demo, ...c.args]);
        expect(r.code, `${cmd} ${c.args.join(" ")}`).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr).toBe(`error: ${c.line}\n`);
      }
    }
  });

  it("before the input is opened: a missing input is not reported, the output is", async () => {
    for (const c of cases(tmp.dir)) {
      const r = await runCli(["scan", join(tmp.dir, "no-such-image.tar"), ...c.args]);
      expect(r.stderr).toBe(`error: ${c.line}\n`);
    }
  });

  it("a good report next to a bad one: the scan does not run, no file is written", async () => {
    const good = join(tmp.dir, "a-dir", "good.json");
    const r = await runCli(["scan", demo, "--report", `json=${good}`, "--report", `sarif=${tmp.dir}/missing/x.sarif`]);
    expect(r.code).toBe(2);
    expect(await readdir(join(tmp.dir, "a-dir"))).toEqual([]);
  });
});
