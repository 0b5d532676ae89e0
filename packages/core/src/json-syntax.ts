/**
 * Where a JSON document stops being JSON (RFC 8259 grammar), for a one-line
 * error that names the byte offset and the one byte found there, escaped.
 * V8's own JSON.parse message quotes the document's first bytes ("Unexpected
 * token 'r', "root:x:0:0"... is not valid JSON"): an error must not carry
 * the content of whatever file the document turned out to be. Iterative,
 * so a document nested a million deep is no stack overflow; only run once
 * JSON.parse has failed.
 */
export function jsonSyntaxProblem(bytes: Uint8Array): string {
  const at = syntaxErrorOffset(bytes);
  if (at < 0) return "not valid JSON text";
  if (at >= bytes.length) return "unexpected end of input";
  return `unexpected ${showByte(bytes[at]!)} at byte ${at}`;
}

function showByte(c: number): string {
  if (c === 0x22) return "'\"'";
  if (c >= 0x20 && c < 0x7f) return `"${String.fromCharCode(c)}"`;
  return `byte 0x${c.toString(16).padStart(2, "0")}`;
}

const isWs = (c: number | undefined) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
const isHex = (c: number | undefined) => c !== undefined && (isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46));
const ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;

/** Offset of the first byte that breaks the grammar, `length` for a premature end, -1 for none. */
export function syntaxErrorOffset(b: Uint8Array): number {
  let i = 0;
  const stack: number[] = [];
  const ws = () => {
    while (isWs(b[i])) i++;
  };
  /** A string at b[i] === '"'; false with i at the offending byte. */
  const string = (): boolean => {
    for (i++; i < b.length; ) {
      const c = b[i]!;
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c !== 0x5c) {
        i++;
        continue;
      }
      i++;
      if (b[i] === 0x75) {
        for (let k = 0; k < 4; k++) if (!isHex(b[++i])) return false;
        i++;
      } else if (ESCAPES.has(b[i]!)) i++;
      else return false;
    }
    return false;
  };
  const digits = (): boolean => {
    if (!isDigit(b[i])) return false;
    while (isDigit(b[i])) i++;
    return true;
  };
  const number = (): boolean => {
    if (b[i] === 0x2d) i++;
    if (b[i] === 0x30) i++;
    else if (!digits()) return false;
    if (b[i] === 0x2e) {
      i++;
      if (!digits()) return false;
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      i++;
      if (b[i] === 0x2b || b[i] === 0x2d) i++;
      if (!digits()) return false;
    }
    return true;
  };
  const literal = (word: string): boolean => {
    for (let k = 0; k < word.length; k++, i++) if (b[i] !== word.charCodeAt(k)) return false;
    return true;
  };
  /** An object member's key and colon; false with i at the offending byte. */
  const key = (): boolean => {
    if (b[i] !== 0x22 || !string()) return false;
    ws();
    if (b[i] !== 0x3a) return false;
    i++;
    return true;
  };

  ws();
  for (;;) {
    // A value starts at i.
    ws();
    const c = b[i];
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      i++;
      ws();
      if (b[i] === (c === OPEN_OBJECT ? 0x7d : 0x5d)) i++;
      else {
        stack.push(c);
        if (c === OPEN_OBJECT && !key()) return i;
        continue;
      }
    } else if (c === 0x22) {
      if (!string()) return i;
    } else if (c === 0x2d || isDigit(c)) {
      if (!number()) return i;
    } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
      if (!literal(c === 0x74 ? "true" : c === 0x66 ? "false" : "null")) return i;
    } else return i;
    // After a value: close containers, or a comma and the next value.
    for (;;) {
      ws();
      const top = stack[stack.length - 1];
      if (top === undefined) return i === b.length ? -1 : i;
      if (b[i] === (top === OPEN_OBJECT ? 0x7d : 0x5d)) {
        stack.pop();
        i++;
        continue;
      }
      if (b[i] !== 0x2c) return i;
      i++;
      ws();
      if (top === OPEN_OBJECT && !key()) return i;
      break;
    }
  }
}
