import { spawn } from "node:child_process";
import { cliPath } from "./cli.js";

/** A shell word, single-quoted. */
function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs a shell command on a real pseudo-terminal, through script(1) from
 * util-linux: its stdin, stdout and stderr are a TTY unless the command
 * redirects them. `output` is what the terminal received, with the pty's
 * "\n" → "\r\n" translation undone. CI is unset, so the CLI draws as it
 * does for a person at a terminal.
 */
function runOnTerminal(command: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-q", "-e", "-c", command, "/dev/null"], {
      env: { ...process.env, CI: "", NO_COLOR: "1", TERM: "xterm" },
      stdio: ["pipe", "pipe", "inherit"],
    });
    const out: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, output: Buffer.concat(out).toString("utf8").replace(/\r\n/g, "\n") }));
    child.stdin.end();
  });
}

/** The CLI on a pseudo-terminal (runOnTerminal); `stdoutTo` sends its stdout to a file instead. */
export function runCliOnTerminal(args: readonly string[], stdoutTo?: string): Promise<{ code: number; output: string }> {
  const command = [process.execPath, cliPath, ...args].map(quote).join(" ");
  return runOnTerminal(stdoutTo === undefined ? command : `${command} > ${quote(stdoutTo)}`);
}

/**
 * The lines a terminal shows for `output`: "\r" returns to the start of the
 * line (later text overwrites), ESC[2K erases the line, "\n" ends it. A
 * last line left unfinished counts when it is not empty.
 */
export function terminalLines(output: string): string[] {
  const lines: string[] = [];
  let line: string[] = [];
  let col = 0;
  for (let i = 0; i < output.length; i++) {
    if (output.startsWith("\x1b[2K", i)) {
      line = [];
      i += 3;
    } else if (output[i] === "\r") {
      col = 0;
    } else if (output[i] === "\n") {
      lines.push(line.join(""));
      line = [];
      col = 0;
    } else {
      line[col++] = output[i]!;
    }
  }
  if (line.join("") !== "") lines.push(line.join(""));
  return lines;
}
