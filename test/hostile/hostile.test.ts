// The hostile input corpus. Every case runs the built CLI in a child
// process (so a crash, an unhandled rejection or a stack trace would show),
// within a 30 s timeout, and ends exactly as its case says.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJsonLines, runCli } from "../helpers/cli.js";
import { cases, isErrorCase, type FileRec, type ScanReport } from "./cases.js";

const CASE_TIMEOUT = 30_000;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(`${tmpdir()}/layerlint-hostile-`);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("hostile corpus", () => {
  it("has at least 40 cases with unique ids, each with an explicit outcome", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    for (const c of cases) expect(c.outcome).toMatch(/^(error [A-Z0-9_]+|continue:) /);
    for (const c of cases) expect(c.outcome.startsWith("error")).toBe(isErrorCase(c));
  });

  describe.concurrent.each(cases)("$group: $id", (c) => {
    it(c.outcome, async () => {
      const work = `${root}/${c.id}`;
      await mkdir(work);
      const input = await c.build(work);
      const started = Date.now();
      const r = await runCli([c.command, "--format", "json", ...(c.flags ?? []), input]);
      const took = Date.now() - started;
      // Never a crash, never a trace: no Node "at …" frames, no uncaught banner.
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stderr).not.toMatch(/Uncaught|UnhandledPromiseRejection|node:internal/);
      if (isErrorCase(c)) {
        expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: "" });
        expect(r.stderr.endsWith("\n")).toBe(true);
        const lines = r.stderr.slice(0, -1).split("\n");
        expect(lines, r.stderr).toHaveLength(1);
        expect(lines[0]!.startsWith("error: ")).toBe(true);
        expect(lines[0]!.slice("error: ".length)).toMatch(c.error);
      } else {
        expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
        if (c.command === "files") c.check(parseJsonLines<FileRec>(r.stdout));
        else c.check(JSON.parse(r.stdout) as ScanReport);
      }
      expect(took).toBeLessThan(CASE_TIMEOUT);
      await rm(work, { recursive: true, force: true });
    }, CASE_TIMEOUT);
  });
});
