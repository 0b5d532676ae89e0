import { describe, expect, it } from "vitest";
import { mdText } from "./markdown.js";

describe("mdText: image text in markdown prose", () => {
  it("cannot draw an image, a link or emphasis", () => {
    const badge = "![layerlint passed](https://img.shields.io/badge/layerlint-passed-brightgreen)";
    expect(mdText(badge)).toBe("\\!\\[layerlint passed\\]\\(https://img.shields.io/badge/layerlint-passed-brightgreen\\)");
    expect(mdText("*bold* _em_ ~~gone~~")).toBe("\\*bold\\* \\_em\\_ \\~\\~gone\\~\\~");
  });
  it("keeps mdCell's escapes: pipes, HTML brackets, backticks, newlines", () => {
    expect(mdText("a|b <img> `x`\nnext")).toBe("a\\|b &lt;img&gt; \\`x\\` next");
  });
});
