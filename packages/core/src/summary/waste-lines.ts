/** How a wasted path reads in the text and markdown reports. */
import type { WastedPath } from "../wasted-paths.js";

const HOW: Readonly<Record<WastedPath["how"], string>> = {
  whiteout: "deleted",
  opaque: "hidden by an opaque directory",
  overwrite: "overwritten",
};

/** "/var/cache/apt (214 files): added in layer 1, deleted in layer 2" (the size is the caller's column). */
export function wastedPathLine(w: WastedPath): string {
  const what = w.kind === "file" ? w.path : `${w.path} (${w.files} file${w.files === 1 ? "" : "s"})`;
  return `${what}: added in layer ${w.addedIn}, ${HOW[w.how]} in layer ${w.removedIn}`;
}
