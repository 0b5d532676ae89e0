/**
 * A small OCI image layout for the build's warm-up scan (scripts/bundle.mjs):
 * one gzip layer with an /etc/passwd, an os-release, a shell and a setuid
 * file, so that the scan runs the code paths every scan runs (layout,
 * manifest, config, tar, merge, analyzers, text report) and V8's code cache
 * holds their compiled functions.
 * Layout: https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

/** A ustar header (POSIX.1-1988): https://www.gnu.org/software/tar/manual/html_node/Standard.html */
function header(name, size, mode, type = "0") {
  const h = Buffer.alloc(512);
  const put = (text, at, len) => h.write(text, at, len, "utf8");
  const octal = (n, at, len) => put(`${n.toString(8).padStart(len - 1, "0")}\0`, at, len);
  put(name, 0, 100);
  octal(mode, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(size, 124, 12);
  octal(1704067200, 136, 12);
  put("        ", 148, 8);
  put(type, 156, 1);
  put("ustar\u000000", 257, 8);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return h;
}

function tar(files) {
  const parts = [];
  for (const [name, content, mode] of files) {
    const body = Buffer.from(content);
    parts.push(header(name, body.length, mode), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

const digest = (b) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** Writes the layout into `dir` and returns `dir`. */
export function writeWarmUpImage(dir) {
  mkdirSync(path.join(dir, "blobs/sha256"), { recursive: true });
  const blob = (b) => {
    const d = digest(b);
    writeFileSync(path.join(dir, "blobs/sha256", d.slice(7)), b);
    return { digest: d, size: b.length };
  };
  const raw = tar([
    ["etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n", 0o644],
    ["etc/os-release", 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n', 0o644],
    ["bin/sh", "\x7fELF shell", 0o755],
    ["usr/bin/passwd", "\x7fELF passwd", 0o4755],
  ]);
  const layer = blob(gzipSync(raw));
  const config = blob(
    Buffer.from(
      JSON.stringify({
        architecture: "amd64",
        os: "linux",
        config: { Cmd: ["/bin/sh"] },
        rootfs: { type: "layers", diff_ids: [digest(raw)] },
        history: [{ created_by: "warm-up layer" }],
      }),
    ),
  );
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
        layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", ...layer }],
      }),
    ),
  );
  writeFileSync(path.join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(
    path.join(dir, "index.json"),
    JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", ...manifest }] }),
  );
  return dir;
}
