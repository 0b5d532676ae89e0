import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/**
 * A dependency loaded on first use, synchronously (its CommonJS build), so
 * that commands which never need it skip its load time: undici costs about
 * 100 ms and yaml 30 ms of a local scan's start-up (bench/NOTES.md).
 */
export function lazyModule<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}
