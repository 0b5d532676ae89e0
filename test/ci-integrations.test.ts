// Slow suite: the CI integrations run as written, on this machine, against a
// registry that needs credentials (docker-registry with htpasswd on
// 127.0.0.1, the demo image pushed by skopeo).
// - action.yml: its shell steps run as the runner runs them
//   (helpers/action-runner.ts), installing the CLI tarball that `pnpm pack`
//   makes, as the action installs the published one;
// - docs/ci/gitlab-ci.yml: its script lines run in bash with GitLab's
//   variables, `npm install -g` installing the same tarball.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { repoRoot } from "./helpers/cli.js";
import { readAction, runAction, type StepResult } from "./helpers/action-runner.js";
import { ensureRegistryTools, startRegistry, type RunningRegistry } from "./registry/registry.js";
import { skopeoPush } from "./registry/skopeo.js";
import { shellEnv } from "./helpers/npm-env.js";

const USER = "ci-user";
const PASSWORD = "ci-pw-Vt5pQ8nR2sW7";
let reg: RunningRegistry;
let tmp: string;
let tarball: string;
/** A PATH entry whose `node` records its arguments, then runs the real node. */
let shims: string;
const argvLog = () => join(tmp, "node-argv.log");

beforeAll(async () => {
  ensureRegistryTools();
  tmp = mkdtempSync(join(tmpdir(), "layerlint-ci-"));
  const out = execFileSync("pnpm", ["pack", "--pack-destination", tmp], { cwd: join(repoRoot, "packages/cli"), encoding: "utf8" });
  tarball = out.trim().split("\n").pop()!.trim();
  shims = join(tmp, "shims");
  mkdirSync(shims);
  writeFileSync(join(shims, "node"), `#!/bin/sh\nprintf '%s\\n' "$*" >> "${argvLog()}"\nexec "${process.execPath}" "$@"\n`);
  chmodSync(join(shims, "node"), 0o755);
  reg = await startRegistry({ kind: "htpasswd", username: USER, password: PASSWORD });
  await skopeoPush("demo.oci", "demo:latest", `${reg.host}/team/app:abc123`, { creds: `${USER}:${PASSWORD}` });
});

afterAll(async () => {
  await reg?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The environment of a CI job here: the shimmed node first, a temporary npm cache. */
function jobEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...shellEnv(), PATH: `${shims}:${process.env.PATH}`, npm_config_cache: join(tmp, "npm-cache"), npm_config_update_notifier: "false", NO_COLOR: "1", ...extra };
}

describe("GitHub Action (action.yml)", () => {
  const action = readAction(join(repoRoot, "action.yml"));

  it("uses the runner's node (no setup-node), keeps inputs out of script text, and documents registry references", () => {
    expect(action.runs.using).toBe("composite");
    for (const s of action.runs.steps) {
      expect(s.uses, s.name).toBeUndefined();
      expect(s.run).not.toMatch(/\$\{\{/);
      // No workspace install or build on each run.
      expect(s.run).not.toMatch(/\bpnpm\b|\btsc\b|npm ci\b/);
    }
    expect(action.inputs["image"]!.description).toMatch(/docker:\/\/REF/);
    expect(action.inputs["image"]!.description).toMatch(/ghcr\.io\//);
    for (const name of ["username", "password", "args", "cli"]) expect(action.inputs[name], name).toBeDefined();
  });

  function runIn(name: string, inputs: Record<string, string>): { results: StepResult[]; work: string; summary: string; path: string; envFile: string } {
    const work = join(tmp, name);
    const runnerTemp = join(work, "_temp");
    mkdirSync(runnerTemp, { recursive: true });
    const summary = join(runnerTemp, "step-summary.md");
    const path = join(runnerTemp, "github-path");
    const envFile = join(runnerTemp, "github-env");
    for (const f of [summary, path, envFile]) writeFileSync(f, "");
    const results = runAction(action, {
      actionPath: repoRoot,
      runnerTemp,
      work,
      inputs: { cli: tarball, ...inputs },
      env: jobEnv({ GITHUB_STEP_SUMMARY: summary, GITHUB_PATH: path, GITHUB_ENV: envFile }),
    });
    return { results, work, summary: readFileSync(summary, "utf8"), path: readFileSync(path, "utf8"), envFile: readFileSync(envFile, "utf8") };
  }

  it("installs the CLI without devDependencies, scans a private registry image with credentials on stdin and extra args, and fails the gate", () => {
    writeFileSync(argvLog(), "");
    const r = runIn("action-registry", { image: `${reg.host}/team/app:abc123`, username: USER, password: PASSWORD, args: "--fail-on critical --quiet" });
    const [install, scan] = r.results;
    expect(install!.code, install!.stderr).toBe(0);
    const installed = readdirSync(join(r.work, "_temp/layerlint-cli/node_modules")).sort();
    for (const dev of ["esbuild", "commander", "typescript", "@layerlint"]) {
      if (dev === "@layerlint") expect(readdirSync(join(r.work, "_temp/layerlint-cli/node_modules/@layerlint"))).toEqual(["cli"]);
      else expect(installed).not.toContain(dev);
    }
    expect(scan!.stderr).not.toMatch(/^error:/m);
    expect(scan!.code).toBe(1);
    expect(scan!.outputs["exit-code"]).toBe("1");
    const sarif = JSON.parse(readFileSync(join(r.work, "layerlint.sarif"), "utf8")) as { runs: { results: unknown[] }[] };
    expect(sarif.runs[0]!.results.length).toBeGreaterThan(0);
    expect(r.summary).toMatch(/fail-on/);
    // The password reached layerlint on stdin only: no command line held it.
    const argv = readFileSync(argvLog(), "utf8");
    expect(argv).toContain("--password-stdin");
    expect(argv).not.toContain(PASSWORD);
    // Nothing changed for the caller's later steps.
    expect(r.path).toBe("");
    expect(r.envFile).toBe("");
  });

  it("with fail: false a failed gate passes the step and reports exit-code 1; a bad reference fails the step with exit 2", () => {
    const soft = runIn("action-soft", { image: `oci-archive:${join(repoRoot, "fixtures/out/demo.oci.tar")}`, fail: "false", args: "--fail-on\ncritical" });
    expect(soft.results.map((x) => x.code)).toEqual([0, 0]);
    expect(soft.results[1]!.outputs["exit-code"]).toBe("1");
    const wrong = runIn("action-wrong", { image: `${reg.host}/team/app:abc123`, username: USER, password: "wrong-password" });
    expect(wrong.results[1]!.code).toBe(2);
    expect(wrong.results[1]!.stderr).toMatch(/^error: .*401|^error: .*(unauthori|credential)/im);
    // `fail` decides the step's result: an --exit-code in args would make it lie, so it is refused.
    const code = runIn("action-exit-code", { image: `oci-archive:${join(repoRoot, "fixtures/out/demo.oci.tar")}`, args: "--fail-on critical --exit-code 0" });
    expect(code.results[1]!.code).toBe(2);
    expect(code.results[1]!.stdout + code.results[1]!.stderr).toContain("--exit-code is not taken here");
  });
});

describe("GitLab CI example (docs/ci/gitlab-ci.yml)", () => {
  it("runs as written: npm install -g, then a registry scan with CI_REGISTRY_USER and CI_JOB_TOKEN on stdin", () => {
    const doc = parse(readFileSync(join(repoRoot, "docs/ci/gitlab-ci.yml"), "utf8")) as Record<string, { image: string; script: string[]; artifacts: { reports: { junit: string }; paths: string[] } }>;
    const job = doc["image-audit"]!;
    expect(job.image).toMatch(/^node:(2[0-9])/);
    expect(job.script[0]).toBe("npm install -g @layerlint/cli@0");
    expect(job.script.join("\n")).toMatch(/--username "\$CI_REGISTRY_USER" --password-stdin/);
    expect(job.script.join("\n")).not.toMatch(/--password[ =]/);
    const work = join(tmp, "gitlab");
    const prefix = join(tmp, "gitlab-global");
    mkdirSync(work);
    // The policy the job reads from the repository.
    writeFileSync(join(work, ".layerlint.yaml"), "findings:\n  failOn: critical\n");
    // `npm install -g @layerlint/cli@0` installs the packed tarball (the published package's contents) into a global prefix.
    const npmShim = join(tmp, "npm-shim");
    mkdirSync(npmShim);
    const realNpm = execFileSync("bash", ["-c", "command -v npm"], { encoding: "utf8" }).trim();
    writeFileSync(
      join(npmShim, "npm"),
      `#!/bin/sh\nif [ "$*" = "install -g @layerlint/cli@0" ]; then exec "${realNpm}" install -g --prefix "${prefix}" --no-audit --no-fund "${tarball}"; fi\nexec "${realNpm}" "$@"\n`,
    );
    chmodSync(join(npmShim, "npm"), 0o755);
    writeFileSync(argvLog(), "");
    // GitLab runs a job's script lines in one bash with `set -eo pipefail`.
    const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", job.script.join("\n")], {
      cwd: work,
      encoding: "utf8",
      env: jobEnv({
        PATH: `${npmShim}:${prefix}/bin:${shims}:${process.env.PATH}`,
        CI: "true",
        CI_REGISTRY_IMAGE: `${reg.host}/team/app`,
        CI_COMMIT_SHA: "abc123",
        CI_REGISTRY_USER: USER,
        CI_JOB_TOKEN: PASSWORD,
      }),
      timeout: 300_000,
    });
    expect(r.stderr).not.toMatch(/^error:/m);
    // The gate fails on the demo image's critical findings: exit 1 fails the job, and the reports are there for `artifacts: when: always`.
    expect(r.status).toBe(1);
    expect(existsSync(join(work, job.artifacts.reports.junit))).toBe(true);
    expect(readFileSync(join(work, job.artifacts.reports.junit), "utf8")).toMatch(/<testsuites?[\s>]/);
    for (const p of job.artifacts.paths) expect(readFileSync(join(work, p), "utf8")).toMatch(/fail-on/);
    const argv = readFileSync(argvLog(), "utf8");
    expect(argv).toContain(`docker://${reg.host}/team/app:abc123`);
    expect(argv).not.toContain(PASSWORD);
  });
});
