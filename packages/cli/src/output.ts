import { createWriteStream } from "node:fs";
import { once } from "node:events";

/**
 * Where a command writes its result: stdout, or the file named by
 * --output. Nothing else is ever written (the guide's rule). A failed
 * write to the file is an error (exit 2), never a silent success.
 */
export interface Output {
  write(s: string): void;
  end(): Promise<void>;
}

export function openOutput(file: string | undefined): Output {
  if (!file) {
    return {
      write: (s) => {
        process.stdout.write(s);
      },
      end: async () => {},
    };
  }
  const stream = createWriteStream(file);
  let failed: Error | undefined;
  stream.on("error", (e) => (failed ??= e));
  return {
    write: (s) => {
      stream.write(s);
    },
    end: async () => {
      stream.end();
      await Promise.race([once(stream, "finish"), once(stream, "close")]).catch(() => undefined);
      if (failed) throw new Error(`${file}: ${failed.message.replace(/^[A-Z]+: /, "")}`);
    },
  };
}
