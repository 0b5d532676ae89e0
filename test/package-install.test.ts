// Slow suite: packs both packages with `pnpm pack`, installs the two
// tarballs with `npm install` into an empty temporary project (their
// dependencies come from the npm registry, through a temporary npm cache,
// so nothing outside the temporary directory is written), and uses them as
// a user of the published packages would: `npx layerlint` from that
// directory, `import { scan } from "@layerlint/core"` from an .mjs file,
// and the declarations from TypeScript.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { cliPath, fixturesOut, repoRoot } from "./helpers/cli.js";
import { END, header, MiB, writeLayout, writeZstdLayer } from "./helpers/resource-images.js";
import { shellEnv } from "./helpers/npm-env.js";

let tmp: string;
let project: string;
const tarballs: Record<"core" | "cli", string> = { core: "", cli: "" };
const packed: Record<"core" | "cli", string> = { core: "", cli: "" };

type Manifest = {
  name: string;
  version: string;
  type?: string;
  bin?: Record<string, string>;
  main?: string;
  types?: string;
  exports?: Record<string, unknown>;
  engines?: { node?: string };
  files?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};
const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;

function run(cmd: string, args: string[], opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {
    cwd: opts.cwd ?? project,
    input: opts.input ?? "",
    encoding: "utf8",
    // npm and npx keep their cache and logs in the temporary directory too.
    env: { ...shellEnv(), NO_COLOR: "1", npm_config_cache: join(tmp, "npm-cache"), npm_config_update_notifier: "false", ...opts.env },
    timeout: 240_000,
  });
}

/** Every file under `dir`, relative to it. */
function walk(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? walk(p, base) : [relative(base, p)];
  });
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "layerlint-install-"));
  for (const pkg of ["core", "cli"] as const) {
    const out = execFileSync("pnpm", ["pack", "--pack-destination", tmp], { cwd: join(repoRoot, "packages", pkg), encoding: "utf8" });
    const tgz = out.trim().split("\n").pop()!.trim();
    expect(tgz).toMatch(new RegExp(`layerlint-${pkg}-[0-9.]+\\.tgz$`));
    tarballs[pkg] = tgz;
    packed[pkg] = join(tmp, `packed-${pkg}`);
    mkdirSync(packed[pkg]);
    execFileSync("tar", ["xzf", tgz, "-C", packed[pkg], "--strip-components=1"]);
  }
  project = join(tmp, "project");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "layerlint-install-check", private: true, type: "module" }));
  const npm = run("npm", ["install", "--cache", join(tmp, "npm-cache"), "--no-audit", "--no-fund", "--no-update-notifier", tarballs.core, tarballs.cli]);
  if (npm.status !== 0) throw new Error(`npm install failed (${npm.status}):\n${npm.stderr}`);
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("package install (slow: pnpm pack, npm install from the registry)", () => {
  it("packed manifests: workspace: ranges rewritten, engines, bin with its shebang, exports that resolve", () => {
    for (const pkg of ["core", "cli"] as const) {
      const m = manifest(packed[pkg]);
      expect(JSON.stringify(m)).not.toContain("workspace:");
      expect(m.engines?.node).toBe(manifest(repoRoot).engines?.node);
      expect(m.type).toBe("module");
    }
    const cli = manifest(packed.cli);
    expect(cli.devDependencies?.["@layerlint/core"]).toBe(manifest(packed.core).version);
    const bin = join(packed.cli, cli.bin!["layerlint"]!);
    expect(readFileSync(bin, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
    const core = manifest(packed.core);
    for (const target of [core.main!, core.types!, ...Object.values(core.exports!).flatMap((e) => (typeof e === "string" ? [e] : Object.values(e as object)))]) {
      expect(statSync(join(packed.core, target as string)).isFile(), String(target)).toBe(true);
    }
  });

  it("tarballs hold a LICENSE and a README, and no source map whose sources are not shipped", () => {
    for (const pkg of ["core", "cli"] as const) {
      const files = walk(packed[pkg]);
      expect(readFileSync(join(packed[pkg], "LICENSE"), "utf8")).toBe(readFileSync(join(repoRoot, "LICENSE"), "utf8"));
      expect(files).toContain("README.md");
      expect(files.filter((f) => /\.test\.|\.tsbuildinfo$|(^|\/)testing\//.test(f))).toEqual([]);
      for (const map of files.filter((f) => f.endsWith(".map"))) {
        const { sources } = JSON.parse(readFileSync(join(packed[pkg], map), "utf8")) as { sources: string[] };
        for (const s of sources) expect(files, `${map} -> ${s}`).toContain(relative(packed[pkg], join(packed[pkg], dirname(map), s)));
      }
    }
    // The bundle's third-party licences cover every bundled package.
    const notices = readFileSync(join(packed.cli, "dist/THIRD-PARTY-LICENSES.txt"), "utf8");
    for (const name of ["commander", "zod", "picomatch", "p-limit"]) expect(notices).toMatch(new RegExp(`^${name} \\d`, "m"));
  });

  it("the CLI bundle imports only Node built-ins, its own files and its declared dependencies, all installed", () => {
    const deps = Object.keys(manifest(packed.cli).dependencies ?? {});
    const dist = join(project, "node_modules/@layerlint/cli/dist");
    const specifiers = new Set<string>();
    for (const f of readdirSync(dist).filter((f) => /\.c?js$/.test(f))) {
      const js = readFileSync(join(dist, f), "utf8");
      for (const m of js.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)["']([^"']+)["']/gm)) specifiers.add(m[1]!);
    }
    const bare = [...specifiers].filter((s) => !s.startsWith(".") && !s.startsWith("node:") && !builtinModules.includes(s));
    expect(bare.map((s) => s.replace(/^((?:@[^/]+\/)?[^/]+).*$/, "$1")).filter((s) => !deps.includes(s))).toEqual([]);
    // Core loads these by name on first use: each must resolve from the bundle.
    const resolved = run(process.execPath, ["--input-type=module", "-e", `for (const d of ${JSON.stringify(deps)}) import.meta.resolve(d); console.log("ok")`], { cwd: dist });
    expect(resolved.stderr).toBe("");
    expect(resolved.stdout.trim()).toBe("ok");
  });

  it("the shipped V8 code cache belongs to the shipped program.cjs, and node accepts it", () => {
    // In a child with node's default flags, as `layerlint` runs: V8 rejects a cache made under other flags.
    const probe = [
      `import { loadProgram } from ${JSON.stringify(pathToFileURL(join(repoRoot, "packages/cli/scripts/program-loader.mjs")).href)};`,
      `const { script, exports } = loadProgram(${JSON.stringify(join(project, "node_modules/@layerlint/cli/dist/program.cjs"))}, (s) => import(s));`,
      "console.log(typeof exports.run, script.cachedDataRejected);",
    ].join("\n");
    const r = run(process.execPath, ["--input-type=module", "-e", probe]);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("function false");
  });

  it("npx layerlint --version and scan run from the project directory, like the workspace build", () => {
    expect(run("npx", ["--no-install", "layerlint", "--version"]).stdout.trim()).toBe(manifest(packed.cli).version);
    // A relative path is read from the directory the command runs in.
    copyFileSync(join(fixturesOut, "demo.oci.tar"), join(project, "demo.oci.tar"));
    const installed = run("npx", ["--no-install", "layerlint", "scan", "demo.oci.tar"]);
    const workspace = run(process.execPath, [cliPath, "scan", "demo.oci.tar"]);
    expect(installed.stderr).toBe("");
    expect(installed.status).toBe(0);
    expect(installed.stdout).toBe(workspace.stdout);
    expect(installed.stdout).toMatch(/^\d+ findings \(/m);
    // A YAML policy loads yaml, and the gate fails with exit 1.
    writeFileSync(join(project, "policy.yaml"), "findings:\n  failOn: critical\n");
    const gated = run("npx", ["--no-install", "layerlint", "scan", "demo.oci.tar", "--policy", "policy.yaml", "-f", "json"]);
    expect(gated.status).toBe(1);
    expect((JSON.parse(gated.stdout) as { gate: { passed: boolean } }).gate.passed).toBe(false);
    // A registry reference loads undici: the error is the registry's, not a missing module.
    const reg = run("npx", ["--no-install", "layerlint", "digest", "127.0.0.1:1/nothing:here"]);
    expect(reg.status).toBe(2);
    expect(reg.stderr).toMatch(/^error: .*127\.0\.0\.1:1/);
    expect(reg.stderr).not.toMatch(/Cannot find (module|package)/);
  });

  it("npm install -g ./packages/cli after a build gives a layerlint that runs from any directory", () => {
    const prefix = join(tmp, "global");
    const npm = run("npm", ["install", "-g", "--prefix", prefix, "--no-audit", "--no-fund", join(repoRoot, "packages/cli")]);
    expect(npm.status, npm.stderr).toBe(0);
    const bin = join(prefix, "bin/layerlint");
    expect(run(bin, ["--version"], { cwd: tmp }).stdout.trim()).toBe(manifest(packed.cli).version);
    copyFileSync(join(fixturesOut, "demo.oci.tar"), join(tmp, "demo.oci.tar"));
    const r = run(bin, ["scan", "demo.oci.tar"], { cwd: tmp });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(run(process.execPath, [cliPath, "scan", "demo.oci.tar"], { cwd: tmp }).stdout);
  });

  it("a zstd layer of 5 MiB is decoded by the bundled layer worker, with the same result as the workspace build", async () => {
    const layout = join(tmp, "zstd.oci");
    // Incompressible content (a hash chain), stored in raw blocks: the blob itself is over the 4 MiB at which a layer goes to a worker.
    const content = Buffer.alloc(5 * MiB);
    for (let i = 0; i < content.length; i += 32) createHash("sha256").update(`layerlint ${i}`).digest().copy(content, i);
    const layer = await writeZstdLayer(layout, [header("data/blob.bin", "0", content.length), content, END], 23);
    await writeLayout(layout, [layer]);
    const prof = join(tmp, "prof");
    const bin = join(project, "node_modules/@layerlint/cli/dist/main.js");
    // --cpu-prof writes one profile per thread: a second file is the worker's.
    const installed = run(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${prof}`, bin, "scan", `oci:${layout}`, "-f", "json"]);
    expect(installed.stderr).toBe("");
    expect(installed.status).toBe(0);
    expect(readdirSync(prof).filter((f) => !/\.\d+\.0\.\d+\.cpuprofile$/.test(f)).length).toBeGreaterThan(0);
    const workspace = run(process.execPath, [cliPath, "scan", `oci:${layout}`, "-f", "json"]);
    expect(JSON.parse(installed.stdout)).toEqual(JSON.parse(workspace.stdout));
  });

  it("the core README's example runs as an .mjs file against the installed @layerlint/core", () => {
    const readme = readFileSync(join(packed.core, "README.md"), "utf8");
    const code = /<!-- example:core-readme -->\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toContain('import { scan } from "@layerlint/core"');
    mkdirSync(join(project, "fixtures/out"), { recursive: true });
    copyFileSync(join(fixturesOut, "demo.oci.tar"), join(project, "fixtures/out/demo.oci.tar"));
    writeFileSync(join(project, "example.mjs"), code!);
    const r = run(process.execPath, ["example.mjs"]);
    expect(r.stderr).toBe("");
    const report = JSON.parse(run(process.execPath, [cliPath, "scan", "fixtures/out/demo.oci.tar", "-f", "json"]).stdout) as {
      image: { platform: string };
      summary: { total: number };
      findings: { severity: string; ruleId: string; path?: string }[];
    };
    const critical = report.findings.filter((f) => f.severity === "critical");
    expect(r.stdout).toBe(
      [`${report.image.platform}: ${report.summary.total} findings, ${critical.length} critical`, ...critical.map((f) => `${f.ruleId} ${f.path ?? ""}`)].join("\n") + "\n",
    );
  });

  it("TypeScript resolves the installed declarations through exports (NodeNext)", () => {
    writeFileSync(
      join(project, "check.ts"),
      [
        'import { scan, LayerlintError, type Report } from "@layerlint/core";',
        "const report: Report = await scan(\"demo.oci.tar\");",
        "const version: 1 = report.schemaVersion;",
        'const e: LayerlintError = new LayerlintError("INVALID_INPUT", "x");',
        "export { version, e };",
      ].join("\n"),
    );
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ["check.ts"] }),
    );
    const tsc = run(process.execPath, [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"]);
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });
});
