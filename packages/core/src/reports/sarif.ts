/**
 * SARIF 2.1.0 (OASIS errata01 schema), shaped for GitHub code scanning
 * (docs.github.com "SARIF support for code scanning"):
 * - tool.driver carries name, version, informationUri and one rule per
 *   ruleId with shortDescription, fullDescription, help (text + markdown),
 *   defaultConfiguration.level and properties.tags + `security-severity`
 *   (a number 0.0–10.0 written as a string);
 * - each result has ruleId, ruleIndex, level, message.text, one location,
 *   and partialFingerprints with our stable fingerprint (GitHub keeps
 *   alerts matched across runs with it); the layer digest goes in
 *   properties.
 *
 * Locations. A file finding points at the path in the image without its
 * leading "/" (GitHub wants relative URIs), against uriBaseId IMAGE_ROOT,
 * region startLine 1 (or the evidence's line). A finding without a path
 * (the image config: USER, Env, history, ports) points at the image itself:
 * the repository name for a registry input, else the input file's base
 * name, plus a logicalLocation "config". Never "Dockerfile": we cannot
 * know which Dockerfile, and a wrong link misleads.
 *
 * Failing gate checks that no finding carries (checkGroup "size" or
 * "provenance": sizes, layers, require-digest, forbid-latest,
 * allowed-registries) become results too, under rules "gate-<check id>",
 * so a size regression shows up in code scanning and not only in the job log.
 *
 * Every rule's helpUri is its anchor in docs/rules.md, generated from the
 * rule catalogue (rules/docs.ts); properties carry the catalogue's default
 * severity and references.
 */
import type * as Sarif from "sarif";
import type { RuleInfo } from "../analyzers/analyzer.js";
import { fingerprintOf } from "../policy/fingerprint.js";
import type { GatedReport } from "../policy/gated-report.js";
import type { Report } from "../report.js";
import { severityRank, type Finding, type Severity } from "../finding.js";
import { escapeText } from "../escape-text.js";
import { checkGroup } from "./check-display.js";
import { GATE_RULES } from "../rules/gate-rules.js";
import { ruleAnchor } from "../rules/docs.js";

export const SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
export const INFORMATION_URI = "https://github.com/layerlint/layerlint";
export const FINGERPRINT_KEY = "layerlintFingerprint/v1";

const LEVEL: Readonly<Record<Severity, Sarif.ReportingConfiguration.level>> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
  info: "note",
};

/** GitHub: > 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low. */
const SECURITY_SEVERITY: Readonly<Record<Severity, string | undefined>> = {
  critical: "9.5",
  high: "8.0",
  medium: "5.5",
  low: "3.0",
  info: undefined,
};

type AnyFinding = Finding & Partial<Pick<GatedReport["findings"][number], "fingerprint" | "baselineState" | "suppressed">>;

function pascal(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_, _d: string, c: string) => c.toUpperCase());
}

/**
 * Percent-encodes each path segment: spaces, "#", "%", "?" and ":" are all
 * legal in image paths. A name byte that is not valid UTF-8 is held as the
 * lone surrogate U+DC80-U+DCFF (https://peps.python.org/pep-0383/), which
 * encodeURIComponent refuses: it is written as that byte, `%FF`, so the
 * URI names the file's real bytes (RFC 3986 §2.1).
 */
export function pathToUri(path: string): string {
  return path
    .replace(/^\/+/, "")
    .split("/")
    .map(encodeSegment)
    .join("/");
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function encodeSegment(s: string): string {
  let out = "";
  let from = 0;
  for (const m of s.matchAll(LONE_SURROGATE)) {
    const n = m[0].charCodeAt(0);
    const byte = n >= 0xdc80 && n <= 0xdcff ? `%${(n - 0xdc00).toString(16).toUpperCase()}` : "%EF%BF%BD";
    out += encodeURIComponent(s.slice(from, m.index)) + byte;
    from = m.index + 1;
  }
  return out + encodeURIComponent(s.slice(from));
}

/** Where pathless findings point: the repository, or the input file's name. */
export function imageUri(report: Report): string {
  const ref = report.image.reference;
  if (ref !== null) {
    const at = ref.indexOf("@");
    const name = at >= 0 ? ref.slice(0, at) : ref;
    const slash = name.lastIndexOf("/");
    const colon = name.lastIndexOf(":");
    return pathToUri(colon > slash ? name.slice(0, colon) : name);
  }
  const input = report.image.input.replace(/^(oci|oci-archive|docker-archive):/, "");
  const base = input.replace(/[/\\]+$/, "").split(/[/\\]/).pop() ?? "image";
  return pathToUri(base === "" ? "image" : base);
}

/** Per ruleId, the highest severity among the findings (one pass). */
function highestSeverities(findings: readonly Finding[]): Map<string, Severity> {
  const best = new Map<string, Severity>();
  for (const f of findings) {
    const b = best.get(f.ruleId);
    if (b === undefined || severityRank(f.severity) > severityRank(b)) best.set(f.ruleId, f.severity);
  }
  return best;
}

function severityOf(rule: RuleInfo, highest: ReadonlyMap<string, Severity>): Severity {
  return highest.get(rule.id) ?? rule.severity;
}

function referencesText(rule: RuleInfo): string {
  return rule.references.length === 0 ? "" : `\n\nReferences:\n${rule.references.map((r) => `- ${r.title}: ${r.url}`).join("\n")}`;
}

/** GitHub code scanning shows help.markdown on the alert: the references as links. */
function referencesMarkdown(rule: RuleInfo): string {
  return rule.references.length === 0 ? "" : `\n\n**References:**\n${rule.references.map((r) => `- [${r.title}](${r.url})`).join("\n")}`;
}

function ruleDescriptor(rule: RuleInfo, severity: Severity, tags: string[]): Sarif.ReportingDescriptor {
  const sec = SECURITY_SEVERITY[severity];
  return {
    id: rule.id,
    name: pascal(rule.id),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.help },
    help: {
      text: `${rule.help}\n\nFix: ${rule.fix}${referencesText(rule)}`,
      markdown: `${rule.help}\n\n**Fix:** ${rule.fix}${referencesMarkdown(rule)}`,
    },
    helpUri: ruleAnchor(rule.id),
    defaultConfiguration: { level: LEVEL[severity] },
    properties: {
      tags,
      precision: "high",
      ...(sec !== undefined ? { "security-severity": sec } : {}),
      defaultSeverity: rule.severity,
      references: rule.references.map((r) => ({ ...r })),
    },
  };
}

function evidenceLine(f: Finding): number {
  const line = f.evidence?.["line"];
  return typeof line === "number" && Number.isInteger(line) && line >= 1 ? line : 1;
}

/** `configUri`: where pathless findings point (imageUri). */
function locationFor(configUri: string, f: Pick<Finding, "path"> & Partial<Finding>): Sarif.Location {
  if (f.path !== undefined && f.path !== "") {
    return {
      physicalLocation: {
        artifactLocation: { uri: pathToUri(f.path), uriBaseId: "IMAGE_ROOT" },
        region: { startLine: f.evidence ? evidenceLine(f as Finding) : 1 },
      },
    };
  }
  return {
    physicalLocation: { artifactLocation: { uri: configUri }, region: { startLine: 1 } },
    logicalLocations: [{ name: "config", kind: "resource", fullyQualifiedName: `${configUri}/config` }],
  };
}

export interface SarifOptions {
  /** Documentation for every ruleId (allRules); unknown ruleIds get a stub rule. */
  rules: readonly RuleInfo[];
}

export function sarifLog(report: Report | GatedReport, options: SarifOptions): Sarif.Log {
  const findings = report.findings as readonly AnyFinding[];
  const known = new Map(options.rules.map((r) => [r.id, r]));
  const ruleList: RuleInfo[] = [...options.rules];
  for (const f of findings) {
    if (!known.has(f.ruleId)) {
      const stub: RuleInfo = {
        id: f.ruleId,
        category: f.category,
        severity: f.severity,
        title: f.ruleId,
        help: f.message,
        fix: "See the finding's message.",
        references: [],
      };
      known.set(f.ruleId, stub);
      ruleList.push(stub);
    }
  }
  const failedGate = (report.gate?.checks ?? []).flatMap((c) => {
    const group = checkGroup(c.id);
    return !c.passed && (group === "size" || group === "provenance") ? [{ check: c, group }] : [];
  });
  const highest = highestSeverities(findings);
  const rules: Sarif.ReportingDescriptor[] = ruleList.map((r) => ruleDescriptor(r, severityOf(r, highest), ["security", r.category]));
  const gateRules = new Map(GATE_RULES.map((r) => [r.id, r]));
  for (const { check: c, group } of failedGate) {
    const id = `gate-${c.id}`;
    const rule = gateRules.get(id) ?? {
      id,
      category: "config",
      severity: "medium",
      title: `Policy check ${c.id} failed`,
      help: `The layerlint policy sets a limit (${c.id}) that this image does not meet.`,
      fix: "Shrink or fix the image, or change the limit in the policy (.layerlint.yaml) if it is wrong.",
      references: [],
    };
    rules.push(ruleDescriptor(rule, rule.severity, ["policy", group]));
  }
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const configUri = imageUri(report);

  const results: Sarif.Result[] = findings.map((f) => {
    const layer = f.layer !== null ? report.image.layers[f.layer] : undefined;
    const result: Sarif.Result = {
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId)!,
      level: LEVEL[f.severity],
      message: { text: escapeText(f.message) },
      locations: [locationFor(configUri, f)],
      partialFingerprints: { [FINGERPRINT_KEY]: fingerprintOf(f) },
      properties: {
        category: f.category,
        severity: f.severity,
        inFinalImage: f.inFinalImage,
        ...(f.layer !== null ? { layer: f.layer } : {}),
        ...(layer !== undefined ? { layerDigest: layer.digest, layerDiffId: layer.diffId } : {}),
      },
    };
    if (f.baselineState !== undefined) result.baselineState = f.baselineState;
    if (f.suppressed !== undefined) result.suppressions = [{ kind: "external", status: "accepted", justification: f.suppressed.reason }];
    return result;
  });
  for (const { check: c } of failedGate) {
    results.push({
      ruleId: `gate-${c.id}`,
      ruleIndex: index.get(`gate-${c.id}`)!,
      level: "error",
      message: { text: c.message === undefined ? undefined : escapeText(c.message) },
      locations: [locationFor(configUri, {})],
      partialFingerprints: { [FINGERPRINT_KEY]: `gate-${c.id}` },
      properties: { actual: c.actual, limit: c.limit },
    });
  }

  return {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "layerlint",
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        originalUriBaseIds: {
          IMAGE_ROOT: { description: { text: `Root of the image filesystem of ${report.image.input} (${report.image.manifestDigest})` } },
        },
        invocations: [{ executionSuccessful: true }],
        properties: {
          image: {
            input: report.image.input,
            reference: report.image.reference,
            manifestDigest: report.image.manifestDigest,
            platform: report.image.platform,
          },
          ...(report.gate !== undefined ? { gatePassed: report.gate.passed } : {}),
        },
        results,
      },
    ],
  };
}

/** The SARIF document as written to a file. */
export function renderSarif(report: Report | GatedReport, options: SarifOptions): string {
  return `${JSON.stringify(sarifLog(report, options), null, 2)}\n`;
}
