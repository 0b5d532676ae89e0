import type { Command } from "commander";
import { VERSION as coreVersion } from "@layerlint/core";
import { formatOption, LISTING_FORMATS } from "../formats.js";
import { version } from "../version.js";

/** What a bug report needs, as `docker version` and `trivy version` print it. */
export function versionInfo(): { version: string; core: string; node: string; platform: string } {
  return { version, core: coreVersion, node: process.version, platform: `${process.platform}/${process.arch}` };
}

/** `layerlint version [-f json]`; `--version` keeps printing the bare version. */
export function addVersionCommand(program: Command, setCode: (n: number) => void): void {
  program
    .command("version")
    .description("print the layerlint, core and Node versions and the platform")
    .addOption(formatOption("version", LISTING_FORMATS))
    .action((o: { format: string }) => {
      const v = versionInfo();
      process.stdout.write(
        o.format === "json"
          ? `${JSON.stringify(v, null, 2)}\n`
          : `layerlint  ${v.version}\ncore       ${v.core}\nnode       ${v.node}\nplatform   ${v.platform}\n`,
      );
      setCode(0);
    });
}
