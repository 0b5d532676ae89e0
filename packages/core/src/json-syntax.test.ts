import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { jsonSyntaxProblem, syntaxErrorOffset } from "./json-syntax.js";

const problem = (s: string) => jsonSyntaxProblem(Buffer.from(s, "latin1"));

describe("jsonSyntaxProblem", () => {
  it("names the offset and the one byte found there, never more of the document", () => {
    expect(problem("root:x:0:0:root:/root:/bin/sh\n")).toBe('unexpected "r" at byte 0');
    expect(problem('{"a":1,}')).toBe('unexpected "}" at byte 7');
    expect(problem('{"a" 1}')).toBe('unexpected "1" at byte 5');
    expect(problem('{"a":"x\x1b"}')).toBe("unexpected byte 0x1b at byte 7");
    expect(problem("\xff{}")).toBe("unexpected byte 0xff at byte 0");
    expect(problem('[1,"2"')).toBe("unexpected end of input");
    expect(problem("[01]")).toBe('unexpected "1" at byte 2');
    expect(problem('"\\q"')).toBe('unexpected "q" at byte 2');
    expect(problem("{} {}")).toBe('unexpected "{" at byte 3');
    expect(problem("")).toBe("unexpected end of input");
  });

  it("walks a document nested a million deep without recursion", () => {
    expect(syntaxErrorOffset(Buffer.from("[".repeat(1_000_000)))).toBe(1_000_000);
  });

  it("agrees with JSON.parse on what is JSON", () => {
    const token = fc.constantFrom("{", "}", "[", "]", ",", ":", '"a"', '"\\u00e9"', '"\\x"', "1", "-0.5e3", "01", "true", "nul", " ", "\n", '"');
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.array(token, { maxLength: 12 }).map((t) => t.join(""))), (s) => {
        let valid = true;
        try {
          JSON.parse(s);
        } catch {
          valid = false;
        }
        expect(syntaxErrorOffset(Buffer.from(s, "utf8")) < 0).toBe(valid);
      }),
      { numRuns: 3000 },
    );
  });
});
