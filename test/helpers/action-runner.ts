// Runs the shell steps of a composite GitHub Action (action.yml) the way the
// runner does, on this machine: each `run:` as
// `bash --noprofile --norc -eo pipefail FILE`, its `env:` with the
// `${{ inputs.* }}`, `${{ github.action_path }}`, `${{ runner.temp }}` and
// `${{ steps.ID.outputs.* }}` expressions filled in, and GITHUB_OUTPUT read
// back into the step's outputs.
// https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#defaultsrunshell
// https://docs.github.com/en/actions/sharing-automations/creating-actions/metadata-syntax-for-github-actions#runs-for-composite-actions
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export interface ActionStep {
  name?: string;
  id?: string;
  uses?: string;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
}

export interface ActionFile {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

export function readAction(file: string): ActionFile {
  return parse(readFileSync(file, "utf8")) as ActionFile;
}

export interface StepResult {
  id: string | undefined;
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
}

/**
 * Runs every step until one fails (as the runner does without `if:`).
 * `env` is the runner's environment (GITHUB_STEP_SUMMARY, PATH…).
 */
export function runAction(
  action: ActionFile,
  ctx: { actionPath: string; runnerTemp: string; inputs: Record<string, string>; env: NodeJS.ProcessEnv; work: string },
): StepResult[] {
  const steps: Record<string, Record<string, string>> = {};
  const results: StepResult[] = [];
  const expr = (text: string): string =>
    text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, e: string) => {
      let m: RegExpExecArray | null;
      if ((m = /^inputs\.([\w-]+)$/.exec(e))) {
        const def = action.inputs[m[1]!];
        if (!def) throw new Error(`action.yml: no input ${m[1]}`);
        return ctx.inputs[m[1]!] ?? def.default ?? "";
      }
      if (e === "github.action_path") return ctx.actionPath;
      if (e === "runner.temp") return ctx.runnerTemp;
      if ((m = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(e))) return steps[m[1]!]?.[m[2]!] ?? "";
      throw new Error(`action.yml: expression this runner does not know: ${e}`);
    });
  action.runs.steps.forEach((step, i) => {
    if (results.some((r) => r.code !== 0)) return;
    if (step.shell !== "bash" || step.run === undefined) throw new Error(`step ${i}: only bash run steps can run here`);
    const script = join(ctx.runnerTemp, `step-${i}.sh`);
    const output = join(ctx.runnerTemp, `output-${i}`);
    writeFileSync(script, expr(step.run));
    writeFileSync(output, "");
    const env: NodeJS.ProcessEnv = { ...ctx.env, GITHUB_OUTPUT: output, GITHUB_ACTION_PATH: ctx.actionPath, RUNNER_TEMP: ctx.runnerTemp };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = expr(String(v));
    const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], { cwd: ctx.work, env, encoding: "utf8", timeout: 300_000 });
    const outputs: Record<string, string> = {};
    for (const line of readFileSync(output, "utf8").split("\n")) {
      const eq = line.indexOf("=");
      if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
    }
    if (step.id) steps[step.id] = outputs;
    results.push({ id: step.id, code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, outputs });
  });
  return results;
}
