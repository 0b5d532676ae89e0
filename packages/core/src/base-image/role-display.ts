/**
 * How the text and markdown reports show base and application layers: the
 * header line, the per-finding label, and the order (the user's own layers
 * first: those are what a Dockerfile change fixes).
 */
import type { Finding } from "../finding.js";
import type { BaseImageInfo } from "./detect-base.js";

const HOW: Readonly<Record<BaseImageInfo["detectedBy"], string>> = {
  flag: "--base, matched by diff_id",
  annotation: "named by the manifest's base annotations; layer count from history",
  history: "from history: where the base's root filesystem or BuildKit's own steps begin",
};

/** "layers 0-1 of 4 are the base image (debian:12 sha256:…; from history…)", or what is unknown. */
export function baseLine(base: BaseImageInfo | undefined, layerCount: number): string {
  if (base === undefined) return "base layers unknown (no --base, base annotation or history marker)";
  const which =
    base.layers === 0
      ? "no layer is the base image's"
      : base.layers === 1
        ? `layer 0 of ${layerCount} is the base image's`
        : `layers 0-${base.layers - 1} of ${layerCount} are the base image's`;
  const named = [base.name, base.digest].filter((s) => s !== undefined).join(" ");
  return `${which} (${named ? `${named}; ` : ""}${HOW[base.detectedBy]})`;
}

/** "layer 4, app", "layer 0, base", "config, app", "layer 2" (role unknown), or undefined for a config finding of unknown role. */
export function whereLabel(f: Pick<Finding, "layer" | "layerRole">): string | undefined {
  const where = f.layer === null ? (f.layerRole !== undefined ? "config" : undefined) : `layer ${f.layer}`;
  if (where === undefined) return undefined;
  return f.layerRole !== undefined ? `${where}, ${f.layerRole}` : where;
}

export interface RoleSection<F> {
  /** undefined when the report has no base: one untitled section. */
  title: string | undefined;
  findings: F[];
}

/**
 * The user's layers' findings, then the base image's; order kept within
 * each. Findings of unknown role (an aggregate past the report limit) go
 * with the user's, where they are not overlooked. Without a base: one
 * section, as before.
 */
export function roleSections<F extends Pick<Finding, "layerRole">>(findings: readonly F[], base: BaseImageInfo | undefined): RoleSection<F>[] {
  if (base === undefined) return [{ title: undefined, findings: [...findings] }];
  const app = findings.filter((f) => f.layerRole !== "base");
  const fromBase = findings.filter((f) => f.layerRole === "base");
  return [
    { title: `in your layers (${app.length})`, findings: app },
    { title: `from the base image (${fromBase.length})`, findings: fromBase },
  ].filter((s) => s.findings.length > 0);
}
