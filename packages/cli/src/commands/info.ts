import { loadImage } from "@layerlint/core";
import { outputFlag, withSource, type CommonOptions } from "../load.js";
import { checkOutputs } from "../output-guard.js";
import { openOutput } from "../output.js";
import { compressedCell, compressedNote, compressedPhrase, formatBytes, table } from "../format.js";
import { printable } from "../printable.js";
import { loadedInfo, manifestInfo, type Info } from "../info-data.js";

export interface InfoOptions extends CommonOptions {
  format: "text" | "json";
  output?: string;
}

/**
 * `layerlint info`: digests, the index and its platforms, layers with
 * sizes and created_by, and the run config. A registry input is read from
 * its manifests and config only, never its layers (info-data.ts).
 */
export async function infoCommand(input: string, opts: InfoOptions): Promise<number> {
  await checkOutputs(input, outputFlag(opts.output));
  const info = await withSource(input, opts, async (source, signal, activity) => {
    if (source.kind !== "registry") return loadedInfo(input, await loadImage(source, { signal, activity }));
    // What a --timeout names if the manifests or the config are still arriving.
    activity?.now("reading the manifest");
    return manifestInfo(input, source);
  });
  const out = openOutput(opts.output);
  out.write(opts.format === "json" ? `${JSON.stringify(info, null, 2)}\n` : infoText(info));
  await out.end();
  return 0;
}

const bytesOr = (n: number | null, none: string) => (n === null ? none : formatBytes(n));

function indexLines(i: Info): string[] {
  if (i.index === null) return [];
  const rows = i.index.manifests.map((m) => [m.chosen ? "*" : " ", m.platform ?? "-", m.kind, m.digest]);
  return [`index     ${i.index.digest} (${i.index.manifests.length} entries; * chosen)`, ...table(rows).split("\n").map((l) => `  ${l}`)];
}

function infoText(i: Info): string {
  const size = i.layersRead
    ? `${compressedPhrase(i.sizes)}, ${bytesOr(i.sizes.uncompressed, "?")} uncompressed, ${bytesOr(i.sizes.wasted, "?")} wasted`
    : `${formatBytes(i.sizes.compressed)} compressed (from the manifest; layers not downloaded: scan or files reads them)`;
  const head = [
    `image     ${i.input} (${i.source})`,
    ...indexLines(i),
    `manifest  ${i.manifestDigest}`,
    `config    ${i.configDigest}`,
    `platform  ${i.platform}`,
    `size      ${size}`,
    "",
  ];
  const layers = table(
    [
      ["#", "digest", "compressed", "uncompressed", "entries", "created by"],
      ...i.layers.map((l) => [
        String(l.index),
        l.digest.slice(0, 19),
        compressedCell(l),
        bytesOr(l.uncompressedSize, "-"),
        l.entries === null ? "-" : String(l.entries),
        (l.createdBy ?? "").replace(/\s+/g, " ").slice(0, 70),
      ]),
    ],
    new Set([2, 3, 4]),
  );
  const config = [
    ...compressedNote(i.layers),
    "",
    `user        ${JSON.stringify(i.config.user)}`,
    `entrypoint  ${JSON.stringify(i.config.entrypoint)}`,
    `cmd         ${JSON.stringify(i.config.cmd)}`,
    `workdir     ${i.config.workingDir || "(none)"}`,
    `ports       ${i.config.exposedPorts.join(", ") || "(none)"}`,
    "env",
    ...i.config.env.map((e) => `  ${e}`),
  ];
  // table() escapes its own cells; the other lines hold image content too
  // (JSON.stringify escapes C0 controls but leaves DEL and C1 such as \x9b).
  return `${[...head.map(printable), layers, ...config.map(printable)].join("\n")}\n`;
}
