import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";

/**
 * Where a command writes its result: stdout, or the file named by
 * --output. Nothing else is ever written (the guide's rule).
 */
export interface Output {
  write(s: string): void;
  end(): Promise<void>;
}

export function openOutput(file: string | undefined): Output {
  const stream: Writable = file ? createWriteStream(file) : process.stdout;
  return {
    write: (s) => {
      stream.write(s);
    },
    end: () =>
      new Promise((resolve, reject) => {
        if (!file) {
          resolve();
          return;
        }
        stream.on("error", reject);
        stream.end(() => resolve());
      }),
  };
}
