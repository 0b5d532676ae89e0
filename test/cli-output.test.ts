import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, link, readFile, symlink } from "node:fs/promises";
import { join } from "node:path";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { cliPath, fixturesOut, runCli } from "./helpers/cli.js";
import { layoutWithExtraLayer, tempDir } from "./helpers/gate.js";
import { editConfig } from "./helpers/layout-edit.js";
import { runCliOnTerminal } from "./helpers/terminal.js";

/** Raw control characters other than "\n": C0, DEL and C1 (\x9b is a one-byte CSI). */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;
/** Raw bidi controls, and lone surrogates (raw name bytes, held as U+DC80-U+DCFF). */
const RAW_BIDI_OR_SURROGATE = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// Output rules: a failed write is an error (exit 2), a reader that closes
// early is not, and nothing is left behind when the main output fails.
describe("CLI output", () => {
  it("exits 2 with one line when --output cannot be written", async () => {
    const r = await runCli(["scan", `${fixturesOut}/demo.oci`, "-o", "/nonexistent-dir/x.json"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("error: -o /nonexistent-dir/x.json: directory /nonexistent-dir does not exist\n");
  });

  it("writes no extra report when the main output fails", async () => {
    const report = `/tmp/layerlint-extra-${process.pid}.sarif`;
    const r = await runCli(["scan", `${fixturesOut}/demo.oci`, "-o", "/nonexistent-dir/x", "--report", `sarif=${report}`]);
    expect(r.code).toBe(2);
    expect(existsSync(report)).toBe(false);
  });

  it("stops quietly when the reader closes the pipe", () => {
    const r = spawnSync("sh", ["-c", `node ${cliPath} files ${fixturesOut}/demo.oci | head -1; exit \${PIPESTATUS:-0}`], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n").filter(Boolean)).toHaveLength(1);
    const direct = spawnSync("bash", ["-c", `node ${cliPath} files ${fixturesOut}/demo.oci | head -1 >/dev/null; echo \${PIPESTATUS[0]}`], { encoding: "utf8" });
    expect(direct.stdout.trim()).toBe("0");
  });

  it("masks credentials in info's cmd, env and created_by", async () => {
    const r = await runCli(["info", `${fixturesOut}/demo.oci`, "--format", "json"]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/ghp_[A-Za-z0-9]{2,}/);
  });

  it("escapes control characters from image content in info text and the gate table", async () => {
    const tmp = await tempDir("layerlint-odd-");
    try {
      // ESC (C0) and CSI (C1) in the input name, created_by, user, cmd, working dir, a port and env.
      const odd = "\x1b[2J\x9b31m";
      const escaped = "\\x1b[2J\\x9b31m";
      const dir = join(tmp.dir, `odd${odd}.oci`);
      await layoutWithExtraLayer(`${fixturesOut}/demo.oci`, dir, { "/opt/odd.txt": "odd\n" }, `RUN echo ${odd}`);
      await editConfig(dir, (c) => {
        c.config.User = `u${odd}`;
        c.config.Cmd = [`x${odd}`];
        c.config.WorkingDir = `/w${odd}`;
        c.config.ExposedPorts = { ...c.config.ExposedPorts, [`80${odd}/tcp`]: {} };
        // A secret under an odd name: secret-env's message, in the fail-on check's details, names it.
        c.config.Env = [...c.config.Env, `ODD=${odd}`, `KEY${odd}=ghp_VRWX73WLxE0r1LyVS6OmIHEFjMv6BG2ofktD`];
      });

      const info = await runCli(["info", dir]);
      expect(info.stderr).toBe("");
      expect(info.code).toBe(0);
      expect(info.stdout).not.toMatch(RAW_CONTROL);
      for (const line of [`image     ${join(tmp.dir, `odd${escaped}.oci`)}`, `RUN echo ${escaped}`, `user        "u\\u001b[2J\\x9b31m"`, `workdir     /w${escaped}`, `80${escaped}/tcp`, `  ODD=${escaped}`]) {
        expect(info.stdout).toContain(line);
      }

      const scan = await runCli(["scan", dir, "--fail-on", "high"]);
      expect(scan.code).toBe(1);
      expect(scan.stdout).not.toMatch(RAW_CONTROL);
      // The fail-on cell is summarised in the gate table (the whole list is in JSON); the odd name shows escaped in its finding line.
      expect(scan.stdout.split("\n").find((l) => /^FAIL +fail-on /.test(l))).toMatch(/ and \d+ more$/);
      expect(scan.stdout).toContain(`config Env KEY${escaped} holds a secret`);
    } finally {
      await tmp.cleanup();
    }
  });

  it("on a terminal, an error with no download status line shown is its line alone, with no erase codes", async () => {
    const r = await runCliOnTerminal(["scan", "/nonexistent-dir/image.tar"]);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/^error: \/nonexistent-dir\/image\.tar: no such file or directory[^\x1b\r]*\n$/);
  });

  it("escapes bidi controls, BEL and raw name bytes on the terminal and in markdown, junit and sarif reports", async () => {
    const tmp = await tempDir("layerlint-bidi-");
    try {
      const dir = join(tmp.dir, "bidi.oci");
      // U+202E (right-to-left override) and U+2066..U+2069 reorder what follows on screen; BEL rings.
      await layoutWithExtraLayer(`${fixturesOut}/demo.oci`, dir, { "/opt/\u202eevil\u2069.txt": "x\n", "/opt/bell\x07.txt": "y\n" }, "RUN echo \u2066hidden\u2069");
      await editConfig(dir, (c) => {
        // U+DCFF: the byte 0xff of a name that is not UTF-8; a key with it, BEL, ESC and RLO names a secret.
        c.config.Env = [...c.config.Env, "KEY\u202e\x07\x1b\udcff=ghp_VRWX73WLxE0r1LyVS6OmIHEFjMv6BG2ofktD"];
      });
      const key = "KEY\\u202e\\x07\\x1b\\xff";

      const files = await runCli(["files", dir]);
      expect({ code: files.code, stderr: files.stderr }).toEqual({ code: 0, stderr: "" });
      expect(files.stdout).not.toMatch(RAW_BIDI_OR_SURROGATE);
      expect(files.stdout).not.toMatch(RAW_CONTROL);
      expect(files.stdout).toContain("/opt/\\u202eevil\\u2069.txt");
      expect(files.stdout).toContain("/opt/bell\\x07.txt");

      const md = join(tmp.dir, "r.md");
      const junit = join(tmp.dir, "r.xml");
      const sarif = join(tmp.dir, "r.sarif");
      const scan = await runCli(["scan", dir, "--fail-on", "high", "--report", `markdown=${md}`, "--report", `junit=${junit}`, "--report", `sarif=${sarif}`]);
      expect(scan.code).toBe(1);
      expect(scan.stdout).not.toMatch(RAW_BIDI_OR_SURROGATE);
      expect(scan.stdout).not.toMatch(RAW_CONTROL);
      expect(scan.stdout).toContain(`config Env ${key} holds a secret`);

      const mdText = await readFile(md, "utf8");
      expect(mdText).not.toMatch(RAW_BIDI_OR_SURROGATE);
      expect(mdText).not.toMatch(RAW_CONTROL);
      // mdCell doubles backslashes, so the escapes render as written.
      expect(mdText).toContain(key.replace(/\\/g, "\\\\"));

      const xml = await readFile(junit, "utf8");
      expect(XMLValidator.validate(xml)).toBe(true);
      expect(xml).not.toMatch(RAW_BIDI_OR_SURROGATE);
      expect(xml).not.toMatch(RAW_CONTROL);
      expect(xml).toContain(key);

      const log = JSON.parse(await readFile(sarif, "utf8")) as { runs: { results: { message: { text: string } }[] }[] };
      const texts = log.runs[0]!.results.map((r) => r.message.text);
      expect(texts.some((t) => t.includes(key))).toBe(true);
      for (const t of texts) expect(t).not.toMatch(RAW_BIDI_OR_SURROGATE);
    } finally {
      await tmp.cleanup();
    }
  });
});

describe("outputs never overwrite the input", () => {
  const sha = async (p: string) => createHash("sha256").update(await readFile(p)).digest("hex");

  it("-o, --report and --write-baseline naming the input archive (or a link to it) are refused before anything is read", async () => {
    const tmp = await tempDir("layerlint-overwrite-");
    try {
      const archive = join(tmp.dir, "archive.tar");
      await copyFile(`${fixturesOut}/demo.oci.tar`, archive);
      const before = await sha(archive);
      await link(archive, join(tmp.dir, "hard.tar"));
      await symlink(archive, join(tmp.dir, "soft.tar"));
      const cases: [string[], string][] = [
        [["scan", archive, "-o", archive], `-o ${archive}`],
        [["scan", `oci-archive:${archive}`, "--output", archive], `-o ${archive}`],
        [["scan", archive, "--report", `markdown=${archive}`], `--report markdown=${archive}`],
        [["scan", archive, "--write-baseline", archive], `--write-baseline ${archive}`],
        [["scan", archive, "-o", join(tmp.dir, "hard.tar")], `-o ${join(tmp.dir, "hard.tar")}`],
        [["files", archive, "-o", join(tmp.dir, "soft.tar")], `-o ${join(tmp.dir, "soft.tar")}`],
        [["info", `oci-archive:${archive}`, "-o", archive], `-o ${archive}`],
      ];
      for (const [args, named] of cases) {
        const r = await runCli(args);
        expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }, args.join(" ")).toEqual({
          code: 2,
          stdout: "",
          stderr: `error: ${named} is the input image; refusing to overwrite it\n`,
        });
      }
      expect(await sha(archive)).toBe(before);
      // Another file is written as before.
      const ok = await runCli(["files", archive, "-o", join(tmp.dir, "list.txt")]);
      expect({ code: ok.code, stderr: ok.stderr }).toEqual({ code: 0, stderr: "" });
    } finally {
      await tmp.cleanup();
    }
  });

  it("an existing file inside an input layout directory is refused; a new file elsewhere is not", async () => {
    const tmp = await tempDir("layerlint-overwrite-dir-");
    try {
      const dir = join(tmp.dir, "img.oci");
      await layoutWithExtraLayer(`${fixturesOut}/demo.oci`, dir, { "/opt/x.txt": "x\n" }, "RUN true");
      const index = join(dir, "index.json");
      const before = await sha(index);
      const r = await runCli(["scan", `oci:${dir}`, "--report", `sarif=${index}`]);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: `error: --report sarif=${index} is inside the input image ${dir}; refusing to overwrite it\n` });
      expect(await sha(index)).toBe(before);
    } finally {
      await tmp.cleanup();
    }
  });
});

describe("--timeout", () => {
  it("takes a duration with a unit; a bare number or anything else is an error before the scan", async () => {
    const input = `${fixturesOut}/demo.oci`;
    const bad: [string, string][] = [
      ["300", `--timeout: "300" needs a unit: ms, s, m or h (e.g. 300s)`],
      ["soon", `--timeout: expected a duration like "90s", "5m" or "1h30m", got "soon"`],
      ["0s", `--timeout: "0s" is not a positive duration a timer can wait`],
    ];
    for (const [value, message] of bad) {
      for (const cmd of ["scan", "files", "info"]) {
        const r = await runCli([cmd, input, "--timeout", value]);
        expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }, `${cmd} ${value}`).toEqual({ code: 2, stdout: "", stderr: `error: ${message}\n` });
      }
    }
    for (const value of ["5m", "90s", "1h", "1.5h"]) {
      const r = await runCli(["files", input, "--timeout", value]);
      expect({ code: r.code, stderr: r.stderr }, value).toEqual({ code: 0, stderr: "" });
    }
  });
});
