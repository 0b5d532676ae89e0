/**
 * Checks on the image config alone (https://github.com/opencontainers/image-spec/blob/main/config.md):
 * shell-form commands, no HEALTHCHECK, port 22, a mutable reference.
 * Secrets in Env and history live in their own module.
 *
 * Config findings carry `layer: null` and `inFinalImage: true` (README.md, "The JSON report").
 */
import { redactText } from "../redact-text.js";
import type { ContainerConfig } from "../types.js";
import type { Finding } from "../finding.js";
import type { Analyzer, ImageFacts, RuleInfo } from "./analyzer.js";
import { REF } from "../rules/references.js";

export const CONFIG_RULES: readonly RuleInfo[] = [
  {
    id: "shell-form-command",
    category: "config",
    severity: "low",
    references: [REF.dockerShellForm],
    title: "ENTRYPOINT or CMD in shell form",
    help:
      "The shell form runs the command under `/bin/sh -c`, so the shell is PID 1: SIGTERM from `docker stop` " +
      "is not passed on, the app is killed after the grace period, and the image needs a shell.",
    fix: 'Use the exec (JSON) form, `CMD ["app", "--flag"]`, or `exec app` at the end of the script.',
  },
  {
    id: "no-healthcheck",
    category: "config",
    severity: "info",
    references: [REF.cisHealthcheck, REF.dockleHealthcheck, REF.dockerHealthcheck],
    title: "No HEALTHCHECK",
    help: "Without a health check an orchestrator only knows whether the process runs, not whether it works.",
    fix: "Add `HEALTHCHECK CMD …` (or rely on the orchestrator's probes and ignore this finding).",
  },
  {
    id: "ssh-port-exposed",
    category: "config",
    severity: "medium",
    references: [REF.dockerExpose],
    title: "Port 22 exposed",
    help: "An SSH server in a container is a second way in, with its own keys and accounts to manage.",
    fix: "Remove `EXPOSE 22` and the SSH server; use `docker exec` or `kubectl exec` instead.",
  },
  {
    id: "latest-tag",
    category: "config",
    severity: "medium",
    references: [REF.dockleLatest, REF.dockerPinDigest],
    title: "Image referenced by :latest",
    help: "`latest` moves: the next pull can bring a different image than the one scanned.",
    fix: "Reference a version tag and pin the digest: `name:1.2.3@sha256:…`.",
  },
  {
    id: "unpinned-reference",
    category: "config",
    severity: "low",
    references: [REF.dockerPinDigest],
    title: "Image referenced without tag or digest",
    help: "Without a tag the runtime pulls `latest`, which moves: the next pull can differ from what was scanned.",
    fix: "Reference a version tag and pin the digest: `name:1.2.3@sha256:…`.",
  },
];

const SHELLS: ReadonlySet<string> = new Set(["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"]);

/** Evidence length cap for a command. */
const COMMAND_SHOWN = 80;

function basename(p: string): string {
  return p.slice(Math.max(p.lastIndexOf("/"), p.lastIndexOf("\\")) + 1);
}

/**
 * The script of a shell-form command, or undefined for exec form. Matches
 * the Dockerfile default shells (`/bin/sh -c`, Windows `cmd /S /C`), any
 * POSIX shell with options before `-c` (`bash -o pipefail -c`, `sh -ec`), and
 * the image's own SHELL prefix (config.Shell, e.g. `powershell -Command`).
 */
export function shellScript(argv: readonly string[], shell?: readonly string[]): string | undefined {
  const exe = basename(argv[0] ?? "");
  if (SHELLS.has(exe)) {
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i]!;
      if (!a.startsWith("-") && !a.startsWith("+")) return undefined; // runs a script file, not -c
      // Only the word after -c is the script; later words are $0, $1…
      if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(a)) return argv[i + 1];
      if (a === "-o" || a === "+o" || a === "-O" || a === "+O") i++; // takes an argument
    }
    return undefined;
  }
  if (/^cmd(\.exe)?$/i.test(exe)) {
    const i = argv.findIndex((a, j) => j > 0 && /^\/[ck]$/i.test(a));
    if (i > 0 && argv.slice(1, i).every((a) => a.startsWith("/")) && i + 1 < argv.length) {
      return argv.slice(i + 1).join(" ");
    }
    return undefined;
  }
  if (shell !== undefined && shell.length > 0 && argv.length > shell.length && shell.every((w, i) => argv[i] === w)) {
    return argv.slice(shell.length).join(" ");
  }
  return undefined;
}

/**
 * Shortens a command for evidence and masks what looks like a credential:
 * URL passwords and long random-looking words (README.md, "The JSON report": evidence never
 * holds a raw secret). Deliberately blunt; the secrets analyzer does the
 * real detection.
 */
export function redactCommand(cmd: string): string {
  const masked = redactText(cmd);
  return masked.length > COMMAND_SHOWN ? `${masked.slice(0, COMMAND_SHOWN - 1)}…` : masked;
}

function shellFormFindings(cfg: ContainerConfig): Finding[] {
  const out: Finding[] = [];
  const entrypoint = cfg.Entrypoint ?? [];
  const cmd = cfg.Cmd ?? [];
  for (const field of ["Entrypoint", "Cmd"] as const) {
    // The process is Entrypoint + Cmd: ENTRYPOINT ["sh","-c"] takes its script from CMD.
    const argv = field === "Entrypoint" ? [...entrypoint, ...cmd] : cmd;
    if ((field === "Entrypoint" ? entrypoint : cmd).length === 0) continue;
    const script = shellScript(argv, cfg.Shell);
    if (script === undefined) continue;
    out.push({
      ruleId: "shell-form-command",
      category: "config",
      severity: "low",
      message: `${field} is in shell form: ${basename(argv[0]!)} runs the command as PID 1`,
      layer: null,
      inFinalImage: true,
      evidence: { field, command: redactCommand(script) },
    });
  }
  return out;
}

function healthcheckFindings(cfg: ContainerConfig): Finding[] {
  const test = cfg.Healthcheck?.Test;
  // [] means "inherit", and the final image has nothing left to inherit from.
  if (test !== undefined && test.length > 0 && test[0] !== "NONE") return [];
  const why = test?.[0] === "NONE" ? "HEALTHCHECK NONE disables it" : "the image defines no HEALTHCHECK";
  return [
    {
      ruleId: "no-healthcheck",
      category: "config",
      severity: "info",
      message: `no health check: ${why}`,
      layer: null,
      inFinalImage: true,
      evidence: { healthcheck: test ?? null },
    },
  ];
}

function sshPortFindings(cfg: ContainerConfig): Finding[] {
  const out: Finding[] = [];
  for (const key of Object.keys(cfg.ExposedPorts ?? {})) {
    // "port", "port/tcp" or "port/udp"; the default protocol is tcp (https://github.com/opencontainers/image-spec/blob/main/config.md). SSH is tcp only.
    if (!/^0*22(?:\/tcp)?$/i.test(key.trim())) continue;
    out.push({
      ruleId: "ssh-port-exposed",
      category: "config",
      severity: "medium",
      message: `port ${key} (SSH) is exposed`,
      layer: null,
      inFinalImage: true,
      evidence: { port: key },
    });
  }
  return out;
}

/** Tag and digest of a reference, split simply: digest after "@", tag after a ":" past the last "/". */
export function referenceParts(reference: string): { tag?: string; digest?: string } {
  const at = reference.indexOf("@");
  const name = at >= 0 ? reference.slice(0, at) : reference;
  const colon = name.lastIndexOf(":");
  const out: { tag?: string; digest?: string } = {};
  if (colon > name.lastIndexOf("/")) out.tag = name.slice(colon + 1);
  if (at >= 0) out.digest = reference.slice(at + 1);
  return out;
}

function referenceFindings(image: ImageFacts): Finding[] {
  const reference = image.reference;
  if (reference === undefined || reference === "") return []; // local inputs: nothing is pulled by name
  const { tag, digest } = referenceParts(reference);
  if (image.pinned || digest !== undefined) return [];
  const evidence = { reference, tag: tag ?? null };
  const base = { category: "config", layer: null, inFinalImage: true, evidence } as const;
  if (tag === undefined) {
    const message = `${reference} has neither tag nor digest, so it means latest`;
    return [{ ...base, ruleId: "unpinned-reference", severity: "low", message }];
  }
  if (tag === "latest") {
    const message = `${reference} uses the moving tag latest and no digest`;
    return [{ ...base, ruleId: "latest-tag", severity: "medium", message }];
  }
  return [];
}

export const configAnalyzer: Analyzer = {
  id: "config",
  rules: CONFIG_RULES,
  finish(ctx) {
    const cfg = ctx.config.config;
    return [
      ...shellFormFindings(cfg),
      ...healthcheckFindings(cfg),
      ...sshPortFindings(cfg),
      ...referenceFindings(ctx.image),
    ];
  },
};
