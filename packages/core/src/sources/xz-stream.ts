import { LayerlintError } from "../errors.js";
import { lazyModule } from "../lazy-module.js";

/**
 * xz-decompress (https://github.com/httptoolkit/xz-decompress): Lasse
 * Collin's xz-embedded compiled to WebAssembly, as a web ReadableStream.
 * It reads concatenated .xz streams, checks CRC32 and CRC64, and caps the
 * LZMA2 dictionary at 64 MiB (xz -9 uses 64 MiB), so its memory is bounded
 * (src/native/xz-decompress.c: xz_dec_init(XZ_DYNALLOC, 1 << 26)).
 */
interface XzModule {
  XzReadableStream: (new (compressed: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>) & {
    /** Serialises decoders over the one WebAssembly instance; see release below. */
    _contextMutex?: { locked: boolean; release(): void };
  };
}

const xzModule = lazyModule<XzModule>("xz-decompress");

/**
 * xz-embedded's xz_ret codes
 * (https://github.com/tukaani-project/xz-embedded/blob/master/linux/include/linux/xz.h),
 * as "get_next_output failed with error code N".
 */
const XZ_ERRORS: Record<string, string> = {
  "3": "out of memory",
  "4": "the stream needs an LZMA2 dictionary over the 64 MiB this decoder accepts (unsupported)",
  "5": "not an xz stream",
  "6": "unsupported options (an integrity check other than CRC32 or CRC64, or a filter this decoder lacks)",
  "7": "compressed data is corrupt",
  "8": "unexpected end of file",
};

export async function* xzDecompress(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const { XzReadableStream } = xzModule();
  const out = new XzReadableStream(ReadableStream.from(chunks) as ReadableStream<Uint8Array>);
  const reader = out.getReader();
  let settled = false;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      if (r.value.length > 0) yield r.value;
    }
    settled = true;
  } catch (e) {
    // The decoder released its lock when it failed; an error of our input did too (it surfaces in pull).
    settled = true;
    const code = /error code (\d+)/.exec((e as Error).message)?.[1];
    if (code === undefined) throw e;
    throw new LayerlintError("DECOMPRESS_FAILED", `xz: ${XZ_ERRORS[code] ?? `decoder error ${code}`}`, { cause: e });
  } finally {
    if (!settled) {
      // Stopped early (an error downstream, an abort). xz-decompress 0.2.3's
      // cancel() frees the decoder but never releases the mutex that
      // serialises decoders, so the next xz stream of this process would
      // wait forever: release it here.
      await reader.cancel().catch(() => {});
      const mutex = XzReadableStream._contextMutex;
      if (mutex?.locked) mutex.release();
    }
  }
}
