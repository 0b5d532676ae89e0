import { Argument, type Command } from "commander";
import { completionSpec } from "../completion-spec.js";
import { bashScript, fishScript, zshScript } from "../completion-scripts.js";

const SHELLS = { bash: bashScript, zsh: zshScript, fish: fishScript } as const;

/**
 * `layerlint completion bash|zsh|fish`: a script for the program as built,
 * every command in it included (the tree is read when the command runs).
 */
export function addCompletionCommand(program: Command, setCode: (n: number) => void): void {
  program
    .command("completion")
    .description("print a shell completion script for bash, zsh or fish")
    .addArgument(new Argument("<shell>", "bash, zsh or fish").choices(Object.keys(SHELLS)))
    .action((shell: keyof typeof SHELLS) => {
      process.stdout.write(SHELLS[shell](completionSpec(program)));
      setCode(0);
    });
}
