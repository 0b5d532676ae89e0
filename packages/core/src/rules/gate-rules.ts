/**
 * The `gate-<check>` rules: a failing size or provenance check of the
 * policy, which no finding carries, is a SARIF result of its own
 * (reports/sarif.ts) so that a regression shows in code scanning. Those
 * ruleIds are user-visible, so they are catalogued like the analyzers'.
 * Reported at medium by default; the SARIF result of a failed check is an
 * error, since the gate failed on it.
 */
import type { RuleInfo } from "../analyzers/analyzer.js";
import { REF, type RuleReference } from "./references.js";

const DIVE: RuleReference = { title: "dive: image efficiency and wasted space", url: "https://github.com/wagoodman/dive#ci-integration" };
const SIZE_FIX = "Shrink the image (multi-stage build, one RUN that installs and cleans up), or raise the limit in the policy if it is wrong.";

/** `key`: the policy field; `flag`: the scan flag that sets it (the check id, but for allowed-registries). */
function gateRule(key: string, id: string, title: string, help: string, fix: string, references: readonly RuleReference[]): RuleInfo {
  const flag = id === "allowed-registries" ? "--allowed-registry" : `--${id}`;
  return {
    id: `gate-${id}`,
    category: "config",
    severity: "medium",
    title,
    help: `${help} Set by the policy's \`${key}\` or \`${flag}\`; only reported when the check fails.`,
    fix,
    references,
  };
}

export const GATE_RULES: readonly RuleInfo[] = [
  gateRule(
    "size.maxCompressed",
    "max-compressed",
    "Compressed image size over the policy's limit",
    "The sum of the stored (compressed) layer sizes, what a pull downloads, is over the limit.",
    SIZE_FIX,
    [REF.dockerMultiStage],
  ),
  gateRule(
    "size.maxUncompressed",
    "max-uncompressed",
    "Uncompressed image size over the policy's limit",
    "The sum of the uncompressed layer sizes, what the image takes on disk once pulled, is over the limit.",
    SIZE_FIX,
    [REF.dockerMultiStage],
  ),
  gateRule(
    "size.maxLayerSize",
    "max-layer-size",
    "A layer over the policy's size limit",
    "One compressed layer is larger than the limit: a pull downloads it whole, and a change to it ships all of it again.",
    "Split or shrink the layer (put rarely changing content in its own earlier layer), or raise the limit.",
    [REF.dockerMultiStage],
  ),
  gateRule(
    "size.maxLayers",
    "max-layers",
    "More layers than the policy allows",
    "Every layer is one more blob to pull and one more place where deleted files keep shipping.",
    "Merge RUN steps, or use a multi-stage build whose final stage copies the result in few layers.",
    [REF.dockerMultiStage],
  ),
  gateRule(
    "size.maxWasted",
    "max-wasted",
    "Wasted bytes over the policy's limit",
    "Bytes a layer ships that a later layer deletes or overwrites: every pull downloads them, no container sees them.",
    "Remove files in the same RUN step that creates them (apt caches, build trees), or build in a separate stage.",
    [DIVE, REF.dockerMultiStage],
  ),
  gateRule(
    "size.maxWastedPercent",
    "max-wasted-percent",
    "Share of wasted bytes over the policy's limit",
    "Wasted bytes as a percentage of the uncompressed size are over the limit.",
    "Remove files in the same RUN step that creates them (apt caches, build trees), or build in a separate stage.",
    [DIVE],
  ),
  gateRule(
    "size.minEfficiency",
    "min-efficiency",
    "Image efficiency under the policy's minimum",
    "Efficiency (1 − wasted / uncompressed, as dive computes it) is below the minimum.",
    "Remove files in the same RUN step that creates them (apt caches, build trees), or build in a separate stage.",
    [DIVE],
  ),
  gateRule(
    "provenance.requireDigest",
    "require-digest",
    "Image reference not pinned by digest",
    "A tag can be moved to another image at any time; only a digest names exactly the image that was scanned.",
    "Reference the image as `name:tag@sha256:…` (`layerlint digest` prints it).",
    [REF.dockerPinDigest],
  ),
  gateRule(
    "provenance.forbidLatest",
    "forbid-latest",
    "Image referenced by :latest",
    "`latest` moves: the next pull can bring a different image than the one scanned.",
    "Reference a version tag, pinned by digest: `name:1.2.3@sha256:…`.",
    [REF.dockleLatest, REF.dockerPinDigest],
  ),
  gateRule(
    "provenance.allowedRegistries",
    "allowed-registries",
    "Image pulled from a registry the policy does not allow",
    "The image comes from a registry or repository outside the policy's allowed list.",
    "Pull the image from an allowed registry (mirror it there), or add the registry to the policy if it is trusted.",
    [REF.cisTrustedBase],
  ),
];
