/**
 * Test helper (not shipped): layers from one-line specs, through the real
 * LayerBuilder and mergeLayers.
 *
 *   "dir/"        a directory (0755)
 *   "a -> t"      a symlink
 *   "a => t"      a hardlink (header mode 0644 unless overridden)
 *   "name:123"    a regular file of 123 bytes
 *   "name"        an empty regular file
 */
import type { TarHeader } from "../tar/tar-header.js";
import { LayerBuilder } from "../layer-builder.js";
import { mergeLayers, type MergedFilesystem } from "../merge-layers.js";
import type { LayerIndex } from "../layer-index.js";

export function h(spec: string, over: Partial<TarHeader> = {}): TarHeader {
  const base: TarHeader = {
    name: spec, linkname: "", type: "file", typeflag: 48, mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 0,
    uname: "", gname: "", devmajor: 0, devminor: 0, xattrs: {}, sparse: false,
  };
  const sym = spec.split(" -> ");
  const hard = spec.split(" => ");
  const sized = /^(.*):(\d+)$/.exec(spec);
  if (sym.length === 2) Object.assign(base, { name: sym[0], linkname: sym[1], type: "symlink", typeflag: 50 });
  else if (hard.length === 2) Object.assign(base, { name: hard[0], linkname: hard[1], type: "hardlink", typeflag: 49 });
  else if (spec.endsWith("/")) Object.assign(base, { type: "dir", typeflag: 53, mode: 0o755 });
  else if (sized) Object.assign(base, { name: sized[1], size: Number(sized[2]) });
  return { ...base, ...over };
}

export function layers(...specs: (string | TarHeader)[][]): LayerIndex[] {
  return specs.map((list, i) => {
    const b = new LayerBuilder(i);
    for (const s of list) b.add(typeof s === "string" ? h(s) : s);
    return b.finish({ entries: list.length, files: 0, tarBytes: 0 });
  });
}

export function merge(...specs: (string | TarHeader)[][]): MergedFilesystem {
  return mergeLayers(layers(...specs));
}

/** Final paths, sorted. */
export const paths = (m: MergedFilesystem): string[] => [...m.files].map((e) => e.path);

/** "path@layer:how@hiddenBy", sorted. */
export const hidden = (m: MergedFilesystem): string[] =>
  m.shadowed.map((s) => `${s.path}@${s.layer}:${s.hiddenHow}@${s.hiddenBy}`).sort();
