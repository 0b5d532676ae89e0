import { Command, CommanderError, Option } from "commander";
import { isLayerlintError } from "@layerlint/core";
import { filesCommand } from "./commands/files.js";
import { infoCommand } from "./commands/info.js";
import { addScanOptions, scanCommand } from "./commands/scan.js";
import { addDigestCommand } from "./commands/digest.js";
import { addRulesCommand } from "./commands/rules.js";
import { addVersionCommand } from "./commands/version.js";
import { addCompletionCommand } from "./commands/completion.js";
import { formatOption, LISTING_FORMATS, REPORT_FORMATS } from "./formats.js";
import { addRegistryOptions, stderrLine } from "./registry-flags.js";
import { addGateOptions } from "./gate-options.js";
import { addIgnoreOptions } from "./ignore-options.js";
import { version } from "./version.js";
import { oneLine } from "./printable.js";
import { timeoutOption } from "./duration.js";

/** Exit codes (README): 0 pass, 1 policy failed, 2 error. */
export const EXIT_ERROR = 2;

const platformOption = () =>
  new Option(
    "--platform <os/arch[/variant]>",
    "image to pick from a multi-platform index (default linux/amd64; arm64 is short for linux/arm64); a single-platform image must be this platform",
  );

function build(setCode: (n: number) => void): Command {
  const program = new Command("layerlint")
    .description("Audit container images layer by layer, without a Docker daemon")
    .version(version)
    .option("--debug", "print stack traces for errors")
    .exitOverride()
    // One line, like every other error: commander puts its "(Did you mean scan?)" on a second one.
    .configureOutput({
      outputError: (s, write) => {
        const line = s.trim().replace(/\s*\n\s*/g, " ");
        write(`${line.startsWith("error:") ? line : `error: ${line}`}\n`);
      },
    });

  /**
   * A command on an image input: -f, --platform, -o, then `extra` (scan's
   * gate flags), then the registry flags; that is also their --help order.
   */
  function inputCommand<O>(
    name: string,
    about: { description: string; input: string; output: string; formats: readonly string[] },
    run: (input: string, opts: O) => Promise<number>,
    extra: (cmd: Command) => Command = (cmd) => cmd,
  ): void {
    const cmd = program
      .command(name)
      .description(about.description)
      .argument("<input>", about.input)
      .addOption(formatOption(name, about.formats))
      .addOption(platformOption())
      .option("-o, --output <file>", `${about.output} (- is stdout)`)
      .addOption(timeoutOption());
    // `-o -` is stdout, as for trivy and most Unix tools.
    addRegistryOptions(extra(cmd)).action(async (input: string, o: { output?: string }) =>
      setCode(await run(input, { ...program.opts(), ...o, output: o.output === "-" ? undefined : o.output } as O)),
    );
  }

  inputCommand(
    "scan",
    {
      description: "report what makes an image dangerous or fat",
      input: "oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE[:REF], docker://REF, a registry reference (nginx:1.25), a path, or - for a docker save archive on stdin (FILE may be -)",
      output: "write the report to FILE instead of stdout",
      formats: REPORT_FORMATS,
    },
    scanCommand,
    (cmd) => addIgnoreOptions(addScanOptions(addGateOptions(cmd))),
  );
  inputCommand(
    "files",
    {
      description: "list the final filesystem after every layer and whiteout is applied",
      input: "image input, as for scan",
      output: "write the listing to FILE instead of stdout",
      formats: LISTING_FORMATS,
    },
    filesCommand,
  );
  inputCommand(
    "info",
    {
      description: "show digests, platform, layers with sizes and created_by, and the run config",
      input: "image input, as for scan",
      output: "write to FILE instead of stdout",
      formats: LISTING_FORMATS,
    },
    infoCommand,
  );
  addDigestCommand(program, setCode);
  addRulesCommand(program, setCode);
  addVersionCommand(program, setCode);
  addCompletionCommand(program, setCode);
  return program;
}

/**
 * Runs the CLI and returns the exit code. Only errors reach here: a
 * LayerlintError prints its one line; anything else prints its message,
 * and the stack only with --debug.
 */
export async function run(argv: string[]): Promise<number> {
  let code = 0;
  const program = build((n) => (code = n));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    // Parsed options when parsing got that far; the raw flag otherwise.
    const debug = (program.opts() as { debug?: boolean }).debug === true || (e instanceof CommanderError && argv.includes("--debug"));
    if (e instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors are 2.
      return e.exitCode === 0 ? 0 : EXIT_ERROR;
    }
    const msg = isLayerlintError(e) || e instanceof Error ? e.message : String(e);
    // Erases a download status line still on screen (only then), so the error starts its own line.
    stderrLine(`error: ${oneLine(msg)}`);
    if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return EXIT_ERROR;
  }
}
