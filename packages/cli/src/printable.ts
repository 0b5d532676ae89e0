/**
 * Image-controlled text (paths, messages, os-release, registry errors) may
 * hold control characters: escape them so a hostile image cannot spoof
 * terminal output or split a line-based listing. Idempotent: the escapes
 * are printable ASCII, so text escaped twice is escaped once.
 */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** One line for stderr: the first line of a message, made printable. */
export function oneLine(s: string): string {
  return printable(s.split(/\r?\n/, 1)[0] ?? "");
}
