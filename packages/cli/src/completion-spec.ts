/**
 * The command tree as shell completion needs it, read from commander's own
 * objects at run time, so commands and options added anywhere in the
 * program (with their --help text and choices) complete without a
 * hand-kept list.
 */
import type { Argument, Command, Option } from "commander";

/** What follows an option: nothing, one of a list, a file name, or any other value. */
export type ValueKind = { kind: "flag" } | { kind: "choices"; choices: readonly string[] } | { kind: "file" } | { kind: "value" };

export interface OptionSpec {
  short?: string;
  long?: string;
  description: string;
  value: ValueKind;
}

export interface CommandSpec {
  name: string;
  description: string;
  options: OptionSpec[];
  /** The first argument: one of a list, a file (an image input), or anything. */
  argument: ValueKind;
}

export interface CompletionSpec {
  name: string;
  options: OptionSpec[];
  commands: CommandSpec[];
}

const HELP: OptionSpec = { short: "-h", long: "--help", description: "display help for command", value: { kind: "flag" } };

function valueOf(o: Option): ValueKind {
  if (!o.required && !o.optional) return { kind: "flag" };
  if (o.argChoices?.length) return { kind: "choices", choices: o.argChoices };
  // `<file>`, `<format=file>`: the placeholder names a file.
  return /file/i.test(o.flags) ? { kind: "file" } : { kind: "value" };
}

function optionSpec(o: Option): OptionSpec {
  const spec: OptionSpec = { description: o.description, value: valueOf(o) };
  if (o.short) spec.short = o.short;
  if (o.long) spec.long = o.long;
  return spec;
}

function argumentOf(args: readonly Argument[]): ValueKind {
  const a = args[0];
  if (a === undefined) return { kind: "flag" };
  if (a.argChoices?.length) return { kind: "choices", choices: a.argChoices };
  return a.name() === "input" ? { kind: "file" } : { kind: "value" };
}

export function completionSpec(program: Command): CompletionSpec {
  const commands: CommandSpec[] = program.commands.map((c) => ({
    name: c.name(),
    description: c.description(),
    options: [...c.options.filter((o) => !o.hidden).map(optionSpec), HELP],
    argument: argumentOf(c.registeredArguments),
  }));
  // commander's implicit `help [command]`.
  commands.push({
    name: "help",
    description: "display help for command",
    options: [],
    argument: { kind: "choices", choices: program.commands.map((c) => c.name()) },
  });
  return { name: program.name(), options: [...program.options.filter((o) => !o.hidden).map(optionSpec), HELP], commands };
}

/** `-f` and `--format`, whichever the option has. */
export const optionNames = (o: OptionSpec): string[] => [o.short, o.long].filter((n): n is string => n !== undefined);
