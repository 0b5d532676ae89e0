import { homedir } from "node:os";
import { Option, type Command } from "commander";
import { LayerlintError, type DownloadEvent, type RegistryOptions } from "@layerlint/core";
import { formatBytes } from "./format.js";
import { oneLine } from "./printable.js";

/** The registry flags of scan, files, info and digest. */
export interface RegistryFlags {
  username?: string;
  passwordStdin?: boolean;
  plainHttp?: boolean;
  insecure?: boolean;
  quiet?: boolean;
}

export function addRegistryOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option("--username <name>", "registry user name, for the reference's registry only (with --password-stdin)"))
    .addOption(new Option("--password-stdin", "read the registry password or token from stdin"))
    .addOption(new Option("--plain-http", "use plain http for the reference's registry"))
    .addOption(new Option("--insecure", "skip TLS certificate verification (warns on stderr)"))
    .addOption(new Option("--quiet", "no download progress on stderr"));
}

async function readStdin(): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of process.stdin) parts.push(c as Buffer);
  // Trailing newline from `echo` or a here-string is not part of the secret, as `docker login` trims it.
  return Buffer.concat(parts).toString("utf8").replace(/\r?\n$/, "");
}

/**
 * Turns the flags and the process environment into core's RegistryOptions.
 * The password is read from stdin here and only handed to core: never printed.
 */
export async function registryOptions(flags: RegistryFlags): Promise<RegistryOptions> {
  if (flags.passwordStdin && !flags.username) throw new LayerlintError("INVALID_INPUT", "--password-stdin needs --username");
  if (flags.username && !flags.passwordStdin) throw new LayerlintError("INVALID_INPUT", "--username needs --password-stdin");
  if (flags.passwordStdin && process.stdin.isTTY) {
    throw new LayerlintError("INVALID_INPUT", "--password-stdin: stdin is a terminal; pipe the password in");
  }
  const password = flags.passwordStdin ? await readStdin() : undefined;
  if (flags.passwordStdin && !password) throw new LayerlintError("INVALID_INPUT", "--password-stdin: no password on stdin");
  return {
    env: process.env,
    homeDir: homedir(),
    username: flags.username,
    password,
    credentialSource: "--password-stdin",
    plainHttp: flags.plainHttp ?? false,
    insecure: flags.insecure ?? false,
    onWarning: printWarning,
    onProgress: flags.quiet ? undefined : downloadProgress(process.env.CI !== undefined && process.env.CI !== ""),
  };
}

/** A warning from core (the registry, an ambiguous archive) as one `warning: …` line on stderr. */
export function printWarning(message: string): void {
  stderrLine(`warning: ${oneLine(message)}`);
}

/** True while downloadProgress's status line is on stderr, unfinished (no newline yet). */
let statusShown = false;
const CLEAR_LINE = "\r\x1b[2K";

/**
 * Writes one line to stderr (a warning, an error), first erasing the
 * download status line when one is shown, so the text starts its own line.
 * The status line is drawn again by the next progress event.
 */
export function stderrLine(text: string): void {
  process.stderr.write(`${statusShown ? CLEAR_LINE : ""}${text}\n`);
  statusShown = false;
}

/**
 * Download progress on stderr. On a TTY: a status line with
 * bytes, rate and layers done of the total, rewritten at most every 100 ms,
 * plus one line per finished layer. Off a TTY or under CI: only the line
 * per finished layer.
 */
function downloadProgress(ci: boolean): (e: DownloadEvent) => void {
  const stream = process.stderr;
  const tty = Boolean(stream.isTTY) && !ci;
  const bytes = new Map<string, number>();
  const start = Date.now();
  let last = 0;
  let done = 0;
  let total = 0;
  const layerLine = (e: Extract<DownloadEvent, { type: "download-done" }>) =>
    `pulled layer ${e.done}/${e.total} ${e.digest.slice(0, 19)} ${formatBytes(e.size)}\n`;
  if (!tty) {
    return (e) => {
      if (e.type === "download-done") stream.write(layerLine(e));
    };
  }
  return (e) => {
    const now = Date.now();
    if (e.type === "download-start") total = Math.max(total, e.total);
    if (e.type === "download-progress") {
      bytes.set(e.digest, e.bytes);
      if (now - last < 100) return;
    }
    let prefix = "";
    if (e.type === "download-done") {
      done = e.done;
      total = Math.max(total, e.total);
      prefix = layerLine(e);
    }
    last = now;
    const sum = [...bytes.values()].reduce((a, b) => a + b, 0);
    const rate = sum / Math.max(0.001, (now - start) / 1000);
    const finished = total > 0 && done >= total;
    const status = finished ? "" : `layers ${done}/${total}  ${formatBytes(sum)}  ${formatBytes(rate)}/s`;
    stream.write(`${statusShown ? CLEAR_LINE : ""}${prefix}${status}`);
    statusShown = status !== "";
  };
}
