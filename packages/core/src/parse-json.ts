import type { z } from "zod";
import { LayerlintError, type ErrorCode } from "./errors.js";
import { jsonSyntaxProblem } from "./json-syntax.js";

/**
 * Parses JSON bytes against a schema. The error is one line that names the
 * document and the bad field: `manifest sha256:ab…: layers.0.digest: expected string`,
 * or the byte where it stops being JSON. No message quotes the document's
 * content (zod's name the expected type, not the value found).
 */
export function parseJson<T extends z.ZodType>(
  bytes: Uint8Array | string,
  schema: T,
  what: string,
  code: ErrorCode,
): z.infer<T> {
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === "string" ? bytes : Buffer.from(bytes).toString("utf8"));
  } catch {
    // Our own description: V8's quotes the document's first bytes.
    const raw = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
    throw new LayerlintError(code, `${what}: invalid JSON (${jsonSyntaxProblem(raw)})`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.join(".") : "(document)";
    throw new LayerlintError(code, `${what}: ${field}: ${issue?.message ?? "invalid"}`);
  }
  return result.data;
}
