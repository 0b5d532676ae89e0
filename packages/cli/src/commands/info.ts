import { imageSizes, redactText, reportedLayers, type LoadedImage } from "@layerlint/core";
import { load, outputFlag, type CommonOptions } from "../load.js";
import { openOutput } from "../output.js";
import { compressedCell, compressedNote, compressedPhrase, formatBytes, table } from "../format.js";
import { printable } from "../printable.js";

export interface InfoOptions extends CommonOptions {
  format: "text" | "json";
  output?: string;
}

/** `layerlint info`: digests, platform, layers with sizes and created_by, and the run config. */
export async function infoCommand(input: string, opts: InfoOptions): Promise<number> {
  const image = await load(input, opts, outputFlag(opts.output));
  const out = openOutput(opts.output);
  const info = imageInfo(input, image);
  out.write(opts.format === "json" ? `${JSON.stringify(info, null, 2)}\n` : infoText(info));
  await out.end();
  return 0;
}

function imageInfo(input: string, image: LoadedImage) {
  const c = image.config.config;
  return {
    input,
    source: image.source.kind,
    manifestDigest: image.manifest.digest,
    configDigest: image.manifest.config.digest,
    platform: image.platform,
    created: image.config.created ?? null,
    sizes: imageSizes(image),
    layers: reportedLayers(image),
    config: {
      user: c.User ?? "",
      entrypoint: c.Entrypoint?.map(redactText) ?? null,
      cmd: c.Cmd?.map(redactText) ?? null,
      workingDir: c.WorkingDir ?? "",
      env: (c.Env ?? []).map(redactText),
      exposedPorts: Object.keys(c.ExposedPorts ?? {}),
    },
  };
}

function infoText(i: ReturnType<typeof imageInfo>): string {
  const head = [
    `image     ${i.input} (${i.source})`,
    `manifest  ${i.manifestDigest}`,
    `config    ${i.configDigest}`,
    `platform  ${i.platform}`,
    `size      ${compressedPhrase(i.sizes)}, ${formatBytes(i.sizes.uncompressed)} uncompressed, ${formatBytes(i.sizes.wasted)} wasted`,
    "",
  ];
  const layers = table(
    [
      ["#", "digest", "compressed", "uncompressed", "entries", "created by"],
      ...i.layers.map((l) => [
        String(l.index),
        l.digest.slice(0, 19),
        compressedCell(l),
        formatBytes(l.uncompressedSize),
        String(l.entries),
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
