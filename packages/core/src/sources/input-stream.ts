import { constants, open as openCb, read as readCb, close as closeCb, createReadStream, type Stats } from "node:fs";
import { Socket } from "node:net";
import type { Readable } from "node:stream";
import { promisify } from "node:util";
import { LayerlintError } from "../errors.js";
import { READ_HIGH_WATER_MARK } from "./blob-store.js";

const openFd = promisify(openCb);
const readFd = promisify(readCb);
const closeFd = promisify(closeCb);

/** Where the bytes of an input read as a stream come from. */
export interface InputStream {
  /** What the user typed as the path (`-`, `/dev/stdin`, `image.tar.gz`), for messages. */
  readonly name: string;
  /** Bytes read ahead of `rest` while opening (a FIFO's first read); may be empty. */
  readonly first: Uint8Array;
  readonly rest: Readable;
  /** Only a regular file can be read a second time. */
  readonly seekable: boolean;
}

/**
 * Standard input as the caller hands it over: core never touches the
 * process, so the CLI passes `process.stdin` (through OpenSourceOptions.stdin).
 */
export function stdinInput(stdin: (() => Readable) | undefined): InputStream {
  if (stdin === undefined) {
    throw new LayerlintError("INVALID_INPUT", "-: reading standard input needs the stdin option (the CLI passes process.stdin)");
  }
  return { name: "-", first: new Uint8Array(0), rest: stdin(), seekable: false };
}

/** A regular file read from its start (a compressed archive). */
export function fileInput(path: string): InputStream {
  return { name: path, first: new Uint8Array(0), rest: createReadStream(path, { highWaterMark: READ_HIGH_WATER_MARK }), seekable: true };
}

/**
 * A FIFO (a named pipe, `/dev/stdin` or `/dev/fd/N` of a pipe, `<(docker
 * save x)`), opened so that no writer cannot mean waiting forever: open(2)
 * with O_NONBLOCK returns at once even when nobody writes
 * (https://man7.org/linux/man-pages/man7/fifo.7.html), and a first read(2)
 * tells the cases apart: data, EAGAIN (a writer that has not written yet),
 * or 0 (no writer, or one that closed having written nothing), which is an
 * error. Polling alone cannot tell: Linux reports no hang-up on a FIFO whose
 * reader opened it before any writer came (fs/pipe.c, fifo_open), so an
 * event loop would wait forever. The rest is read through libuv's pipe
 * handle, which waits in the event loop, as process.stdin does.
 */
export async function fifoInput(path: string): Promise<InputStream> {
  let fd: number;
  try {
    fd = await openFd(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new LayerlintError("INVALID_INPUT", `${path}: cannot open: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  const buf = Buffer.alloc(64 * 1024);
  let n = -1;
  try {
    n = (await readFd(fd, buf, 0, buf.length, null)).bytesRead;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EAGAIN") {
      await closeFd(fd).catch(() => {});
      throw new LayerlintError("INVALID_INPUT", `${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
    }
  }
  if (n === 0) {
    await closeFd(fd);
    throw noData(path);
  }
  const rest = new Socket({ fd, readable: true, writable: false });
  return { name: path, first: n > 0 ? buf.subarray(0, n) : new Uint8Array(0), rest, seekable: false };
}

/** Nothing arrived: a pipe whose writer wrote nothing, or a FIFO nobody opened for writing. */
export function noData(name: string): LayerlintError {
  const what = name === "-" ? "standard input is empty" : "no data: a FIFO with no writer, or an empty pipe";
  return new LayerlintError("INVALID_INPUT", `${name}: ${what} (expected an image archive, e.g. docker save IMAGE | layerlint scan -)`);
}

/**
 * A path that is neither a regular file, a directory nor a FIFO: a device
 * or a socket is no image (stat follows symlinks, so `/dev/stdin` of a
 * terminal is a character device here). undefined when the path is fine.
 */
export function specialKind(info: Stats): string | undefined {
  return info.isCharacterDevice()
    ? "a character device"
    : info.isBlockDevice()
      ? "a block device"
      : info.isSocket()
        ? "a socket"
        : undefined;
}
