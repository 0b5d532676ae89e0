/**
 * The scan's own findings about what it could not capture: the scan-wide
 * content budget (LoadedImage.captureRefused) left some files unread, so
 * content checks (secrets, account files, busybox applets) may have missed
 * something. A gap (analysis.ts): the gate's finding thresholds fail.
 */
import type { Finding } from "./finding.js";
import type { RuleInfo } from "./analyzers/analyzer.js";
import type { LoadedImage } from "./load-image.js";
import { REF } from "./rules/references.js";

export const CAPTURE_RULES: readonly RuleInfo[] = [
  {
    id: "content-undetermined",
    category: "analysis",
    severity: "high",
    references: [REF.cweFailOpen],
    title: "Some file contents were not read: the scan's content budget ran out",
    help:
      "The scan reads the content of a bounded number of bytes in total. Files past that budget were checked by " +
      "name only, so a secret or account problem in them may be missed; finding thresholds cannot pass on this view.",
    fix: "Raise the scan's content budget, or find what fills the image with many files the scan reads (large config trees, copies of busybox).",
  },
];

/** A loaded image, with the capture budget's count once the loader reports it. */
type WithBudget = LoadedImage & { captureRefused?: number | undefined };

export function captureFindings(image: LoadedImage): Finding[] {
  const refused = (image as WithBudget).captureRefused ?? 0;
  if (refused <= 0) return [];
  return [
    {
      ruleId: "content-undetermined",
      category: "analysis",
      severity: "high",
      message: `${refused} file${refused === 1 ? "" : "s"} the analyzers asked to read ${refused === 1 ? "was" : "were"} not captured: the scan's content budget ran out`,
      layer: null,
      inFinalImage: true,
      evidence: { captureRefused: refused },
    },
  ];
}
