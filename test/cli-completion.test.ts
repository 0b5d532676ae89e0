// `layerlint completion bash|zsh|fish`: scripts written from commander's
// command tree, so every command and option that --help lists completes,
// with the choices of -f and --fail-on and file names for inputs. Each
// script is loaded and run by its shell (installed with apt when missing):
// bash through the function `complete -p` names, zsh through its own
// completion system on a pseudo-terminal (helpers/zsh-complete.zsh), fish
// through `complete -C`.
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath, fixturesOut, runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/gate.js";

const SHELLS = ["bash", "zsh", "fish"] as const;
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
/** The scripts as `layerlint completion SHELL` printed them, saved once (a CLI start per completion is slow). */
const scripts = new Map<string, string>();
let tmp: { dir: string; cleanup: () => Promise<void> };
const load = (shell: string) => `cat ${q(scripts.get(shell)!)}`;

function hasShell(shell: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${shell}`]).status === 0;
}

/** Runs `script` in `shell`; its stdout lines. */
function inShell(shell: string, args: string[], script: string): string[] {
  const r = spawnSync(shell, [...args, script], { cwd: fixturesOut, encoding: "utf8", env: { ...process.env, HOME: process.env.HOME ?? "/root" } });
  expect(r.stderr, script).toBe("");
  expect(r.status, script).toBe(0);
  return r.stdout.split("\n").filter((l) => l !== "");
}

const END = "--end-of-candidates--";

/** Splits a batch's output at END lines: one sorted candidate list per query. */
function batches(lines: string[], n: number): string[][] {
  const out: string[][] = [[]];
  for (const l of lines) {
    if (l === END) out.push([]);
    else out.at(-1)!.push(l);
  }
  out.pop();
  expect(out).toHaveLength(n);
  return out.map((c) => c.sort());
}

/**
 * What bash's completion function offers for each query (COMP_WORDS, the
 * last being the word completed), run through the function `complete -p`
 * names, in one bash.
 */
function bash(...queries: string[][]): string[][] {
  const each = queries.map(
    (words) => `COMP_WORDS=(${words.map(q).join(" ")}); COMP_CWORD=${words.length - 1}; COMPREPLY=()
"$fn"; printf '%s\\n' "\${COMPREPLY[@]}" ${END}`,
  );
  return batches(inShell("bash", ["-c"], `source <(${load("bash")})
fn="$(complete -p layerlint | sed -E 's/.*-F ([^ ]+).*/\\1/')"
${each.join("\n")}`), queries.length);
}

/** What zsh's completion system offers for each query (the words typed, the last being the one completed), on a pseudo-terminal. */
function zsh(...queries: string[][]): string[][] {
  const out = `${tmp.dir}/zsh-out-${++zshRuns}`;
  const r = spawnSync("zsh", ["-f", ZSH_DRIVER, scripts.get("zsh")!, out, END, ...queries.map((w) => w.join(" "))], { cwd: fixturesOut, encoding: "utf8" });
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
  expect(readFileSync(`${out}.err`, "utf8")).toBe("");
  const lines = readFileSync(out, "utf8").split("\n").filter((l) => l !== "");
  // _files adds some names more than once.
  return batches(lines, queries.length).map((c) => [...new Set(c)]);
}
const ZSH_DRIVER = fileURLToPath(new URL("./helpers/zsh-complete.zsh", import.meta.url));
let zshRuns = 0;

/** What fish offers for each command line (`complete -C`), names only. */
function fish(...lines: string[]): string[][] {
  const each = lines.map((line) => `complete -C ${q(line)}; echo ${END}`);
  const out = inShell("fish", ["-c"], `${load("fish")} | source\n${each.join("\n")}`).map((l) => l.split("\t")[0]!);
  return batches(out, lines.length);
}

/** The commands and each command's options, as --help lists them. */
async function helpTree(): Promise<Map<string, string[]>> {
  const section = (help: string, title: string) => {
    const lines = help.split("\n");
    const start = lines.indexOf(`${title}:`);
    const end = lines.findIndex((l, i) => i > start && l !== "" && !l.startsWith(" "));
    return lines.slice(start + 1, end === -1 ? undefined : end);
  };
  const top = (await runCli(["--help"])).stdout;
  const commands = section(top, "Commands").flatMap((l) => /^  ([a-z][\w-]*)/.exec(l)?.[1] ?? []);
  const tree = new Map<string, string[]>();
  for (const c of commands.filter((c) => c !== "help")) {
    const help = (await runCli([c, "--help"])).stdout;
    tree.set(c, section(help, "Options").flatMap((l) => /^  (?:(-\w), )?(--[\w-]+)/.exec(l)?.slice(1).filter((x): x is string => x !== undefined) ?? []));
  }
  return tree;
}

const sorted = (xs: Iterable<string>) => [...xs].sort();

// A shell per batch of queries, and an interactive zsh per zsh query (each most of a second on a loaded machine).
const SLOW = 240_000;

describe("shell completion", () => {
  let tree: Map<string, string[]>;
  afterAll(async () => tmp.cleanup());
  beforeAll(async () => {
    tmp = await tempDir("layerlint-completion-");
    for (const shell of SHELLS) {
      const r = await runCli(["completion", shell]);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
      scripts.set(shell, `${tmp.dir}/layerlint.${shell}`);
      await writeFile(scripts.get(shell)!, r.stdout);
    }
    const missing = SHELLS.filter((s) => !hasShell(s));
    if (missing.length > 0) execFileSync("apt-get", ["install", "-y", "-q", ...missing], { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    tree = await helpTree();
    expect(tree.has("scan")).toBe(true);
  });

  it("each script is what its shell loads: bash registers a -F function, zsh a compdef, fish its completions", () => {
    expect(inShell("bash", ["-c"], `source <(${load("bash")}); complete -p layerlint`)).toEqual(["complete -F _layerlint layerlint"]);
    expect(inShell("zsh", ["-f", "-c"], `autoload -U compinit; compinit -u -D; source <(${load("zsh")}); print -r -- $_comps[layerlint]`)).toEqual(["_layerlint"]);
    expect(inShell("fish", ["-c"], `${load("fish")} | source; complete -c layerlint | count`)[0]).toMatch(/^[1-9]\d*$/);
    const r = spawnSync(process.execPath, [cliPath, "completion", "tcsh"], { encoding: "utf8" });
    expect({ code: r.status, stdout: r.stdout }).toEqual({ code: 2, stdout: "" });
    expect(r.stderr).toMatch(/^error: .*tcsh.*\n$/);
  }, SLOW);

  it("every command --help lists completes at the start of the line, in each shell", () => {
    const commands = sorted([...tree.keys(), "help"]);
    const [all, sc] = bash(["layerlint", ""], ["layerlint", "sc"]);
    expect(all!.filter((w) => !w.startsWith("-"))).toEqual(commands);
    expect(sc).toEqual(["scan"]);
    expect(zsh(["layerlint", ""])).toEqual([commands]);
    expect(fish("layerlint ")).toEqual([commands]);
  }, SLOW);

  it("every option of every command completes after a dash, in each shell", () => {
    const commands = [...tree.keys()];
    const expected = commands.map((c) => sorted(new Set(tree.get(c))));
    expect(bash(...commands.map((c) => ["layerlint", c, "-"]))).toEqual(expected);
    expect(zsh(...commands.map((c) => ["layerlint", c, "-"]))).toEqual(expected);
    // fish lists long options for "--" (short ones for "-").
    expect(fish(...commands.map((c) => `layerlint ${c} --`))).toEqual(expected.map((os) => os.filter((o) => o.startsWith("--"))));
  }, SLOW);

  it("-f offers the formats each command writes; --fail-on and --severity the severities; completion the shells", () => {
    const severities = ["critical", "high", "info", "low", "medium"];
    const cases: [string[], string[]][] = [
      [["scan", "-f"], ["json", "junit", "markdown", "sarif", "text"]],
      [["scan", "--format"], ["json", "junit", "markdown", "sarif", "text"]],
      [["files", "-f"], ["json", "text"]],
      [["info", "--format"], ["json", "text"]],
      [["version", "-f"], ["json", "text"]],
      [["scan", "--fail-on"], severities],
      [["scan", "--severity"], severities],
      [["completion"], ["bash", "fish", "zsh"]],
    ];
    const expected = cases.map(([, e]) => e);
    expect(bash(...cases.map(([w]) => ["layerlint", ...w, ""]))).toEqual(expected);
    expect(zsh(...cases.map(([w]) => ["layerlint", ...w, ""]))).toEqual(expected);
    expect(fish(...cases.map(([w]) => `layerlint ${w.join(" ")} `))).toEqual(expected);
    // A prefix narrows; "--format=" splits at "=" in bash (COMP_WORDBREAKS).
    expect(bash(["layerlint", "scan", "-f", "s"], ["layerlint", "scan", "--format", "=", ""])).toEqual([["sarif"], expected[0]]);
  }, SLOW);

  it("an image input and a file-valued option complete file names; a free value completes nothing", () => {
    const demo = ["demo.oci", "demo.oci.tar"];
    expect(bash(["layerlint", "scan", "demo.oci"], ["layerlint", "scan", "x.oci", "-o", "demo.oci"], ["layerlint", "scan", "x.oci", "--timeout", ""])).toEqual([
      demo,
      demo,
      [],
    ]);
    expect(zsh(["layerlint", "files", "demo.oci"], ["layerlint", "scan", "--policy", ""], ["layerlint", "scan", "--platform", ""])).toEqual([
      demo,
      sorted(readdirSync(fixturesOut)),
      [],
    ]);
    expect(fish("layerlint scan demo.oci", "layerlint scan --timeout ")).toEqual([["demo.oci.tar", "demo.oci/"], []]);
  }, SLOW);
});
