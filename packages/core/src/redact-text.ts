import { isSecretPair } from "./analyzers/secrets/index.js";

/**
 * Masks what looks like a credential in free text that the report or
 * `info` prints (created_by lines, Env values), keeping 4 characters:
 * URL passwords, KEY=value pairs with a secret-looking key, and long
 * random-looking words (tokens). Findings carry the details; the text
 * itself must never reveal a secret (DESIGN.md §3).
 */
export function redactText(text: string): string {
  return text
    .replace(/(\/\/[^/\s:@]+:)[^@\s/]+@/g, "$1***@")
    .replace(/\b([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s"']+)/g, (all, key: string, value: string) => {
      const bare = value.replace(/^["']|["']$/g, "");
      return isSecretPair(key, bare) ? `${key}=${bare.slice(0, 4)}***` : all;
    })
    .replace(/[A-Za-z0-9_+/-]{24,}=*/g, (w) => (/[0-9]/.test(w) && /[A-Za-z]/.test(w) && !/^[0-9a-f]+$/i.test(w) ? `${w.slice(0, 4)}***` : w));
}
