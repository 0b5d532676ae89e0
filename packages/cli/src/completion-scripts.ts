/**
 * Completion scripts for bash, zsh and fish, written from a CompletionSpec.
 * Each completes the command name, then the command's options, the choices
 * of an option that has them (-f, --fail-on), file names where a file
 * goes, and nothing for a free value (--timeout).
 * Bash: https://www.gnu.org/software/bash/manual/html_node/Programmable-Completion-Builtins.html
 * Zsh: https://zsh.sourceforge.io/Doc/Release/Completion-Widgets.html
 * Fish: https://fishshell.com/docs/current/cmds/complete.html
 */
import { optionNames, type CommandSpec, type CompletionSpec, type OptionSpec, type ValueKind } from "./completion-spec.js";

/** Names and choices are plain words; anything else is refused rather than quoted into a script. */
function word(s: string): string {
  if (!/^[A-Za-z0-9_./=:+-]+$/.test(s)) throw new Error(`completion: unexpected word ${JSON.stringify(s)}`);
  return s;
}
const words = (xs: readonly string[]) => xs.map(word).join(" ");
/** A single-quoted string for sh and zsh. */
const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
/** A single-quoted string for fish, where only \\ and \' are escapes. */
const fishQuote = (s: string) => `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;

/** The options of `cmd` grouped by what follows them, for a `case "$prev"` in sh or zsh. */
function valueCases(options: readonly OptionSpec[], indent: string, emit: (v: ValueKind) => string): string[] {
  return options
    .filter((o) => o.value.kind !== "flag")
    .map((o) => `${indent}${optionNames(o).map(word).join("|")}) ${emit(o.value)} ;;`);
}

const allOptionNames = (options: readonly OptionSpec[]) => words(options.flatMap(optionNames));

export function bashScript(spec: CompletionSpec): string {
  const fn = `_${word(spec.name)}`;
  const emit = (v: ValueKind): string => {
    if (v.kind === "choices") return `COMPREPLY=($(compgen -W "${words(v.choices)}" -- "$cur")); return`;
    if (v.kind === "file") return `compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")); return`;
    return "return";
  };
  const commandCase = (c: CommandSpec) =>
    [
      `    ${word(c.name)})`,
      '      case "$prev" in',
      ...valueCases(c.options, "        ", emit),
      "      esac",
      `      if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "${allOptionNames(c.options)}" -- "$cur")); return; fi`,
      c.argument.kind === "flag" ? "      return ;;" : `      ${emit(c.argument)} ;;`,
    ].join("\n");
  return `# ${spec.name} completion for bash. Load it with:
#   source <(${spec.name} completion bash)
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" cmd="" i
  (( COMP_CWORD > 0 )) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  # "--format=js": bash splits at "=" (COMP_WORDBREAKS).
  if [[ $cur == "=" ]]; then cur=""; fi
  if [[ $prev == "=" ]] && (( COMP_CWORD > 1 )); then prev="\${COMP_WORDS[COMP_CWORD-2]}"; fi
  COMPREPLY=()
  for (( i = 1; i < COMP_CWORD; i++ )); do
    if [[ \${COMP_WORDS[i]} != -* ]]; then cmd="\${COMP_WORDS[i]}"; break; fi
  done
  case "$cmd" in
    "")
      COMPREPLY=($(compgen -W "${words(spec.commands.map((c) => c.name))} ${allOptionNames(spec.options)}" -- "$cur"))
      return ;;
${spec.commands.map(commandCase).join("\n")}
  esac
}
complete -F ${fn} ${word(spec.name)}
`;
}

export function zshScript(spec: CompletionSpec): string {
  const fn = `_${word(spec.name)}`;
  const emit = (v: ValueKind): string => {
    if (v.kind === "choices") return `compadd -- ${words(v.choices)}; return`;
    if (v.kind === "file") return "_files; return";
    return "return";
  };
  const commandCase = (c: CommandSpec) =>
    [
      `    ${word(c.name)})`,
      "      case $prev in",
      ...valueCases(c.options, "        ", emit),
      "      esac",
      `      if [[ $cur == -* ]]; then compadd -- ${allOptionNames(c.options)}; return; fi`,
      c.argument.kind === "flag" ? "      return ;;" : `      ${emit(c.argument)} ;;`,
    ].join("\n");
  const names = spec.commands.map((c) => word(c.name));
  return `#compdef ${word(spec.name)}
# ${spec.name} completion for zsh. Load it with:
#   source <(${spec.name} completion zsh)    (after compinit)
# or save it as _${spec.name} in a directory of $fpath.
${fn}() {
  local cur=\${words[CURRENT]} prev=\${words[CURRENT-1]} cmd="" i
  local -a names descs
  for (( i = 2; i < CURRENT; i++ )); do
    if [[ \${words[i]} != -* ]]; then cmd=\${words[i]}; break; fi
  done
  case $cmd in
    "")
      if [[ $cur == -* ]]; then compadd -- ${allOptionNames(spec.options)}; return; fi
      names=(${names.join(" ")})
      descs=(${spec.commands.map((c) => shQuote(`${c.name.padEnd(10)} -- ${c.description}`)).join(" ")})
      compadd -l -d descs -a names
      return ;;
${spec.commands.map(commandCase).join("\n")}
  esac
}
if [[ \${funcstack[1]} == ${fn} ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${word(spec.name)}
fi
`;
}

export function fishScript(spec: CompletionSpec): string {
  const name = word(spec.name);
  const lines = [
    `# ${spec.name} completion for fish. Load it with:`,
    `#   ${spec.name} completion fish | source`,
    `# or save it as ~/.config/fish/completions/${spec.name}.fish`,
    `complete -c ${name} -f`,
  ];
  const option = (o: OptionSpec, cond: string) => {
    const parts = [`complete -c ${name}`, `-n ${fishQuote(cond)}`];
    if (o.short) parts.push(`-s ${word(o.short.slice(1))}`);
    if (o.long) parts.push(`-l ${word(o.long.slice(2))}`);
    if (o.value.kind === "choices") parts.push(`-x -a ${fishQuote(words(o.value.choices))}`);
    else if (o.value.kind === "file") parts.push("-r -F");
    else if (o.value.kind === "value") parts.push("-x");
    parts.push(`-d ${fishQuote(o.description)}`);
    return parts.join(" ");
  };
  for (const o of spec.options) lines.push(option(o, "__fish_use_subcommand"));
  for (const c of spec.commands) {
    lines.push(`complete -c ${name} -n __fish_use_subcommand -a ${word(c.name)} -d ${fishQuote(c.description)}`);
    const cond = `__fish_seen_subcommand_from ${word(c.name)}`;
    for (const o of c.options) lines.push(option(o, cond));
    if (c.argument.kind === "choices") lines.push(`complete -c ${name} -n ${fishQuote(cond)} -a ${fishQuote(words(c.argument.choices))}`);
    if (c.argument.kind === "file") lines.push(`complete -c ${name} -n ${fishQuote(cond)} -F`);
  }
  return `${lines.join("\n")}\n`;
}
