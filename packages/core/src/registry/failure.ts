import { LayerlintError } from "../errors.js";
import { readCapped, type HttpResponse } from "./http.js";

/**
 * A registry's refusal as one line: 404 is NOT_FOUND, anything else
 * REGISTRY_ERROR, with the first entry of the distribution error body
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes)
 * when there is one.
 */
export async function registryFailure(res: HttpResponse, what: string): Promise<LayerlintError> {
  let detail = "";
  try {
    const body = JSON.parse((await readCapped(res.body, 64 * 1024, what)).toString("utf8")) as { errors?: { code?: unknown; message?: unknown }[] };
    const e = body.errors?.[0];
    if (e && typeof e.message === "string") detail = `: ${e.message.slice(0, 200)}`;
    else if (e && typeof e.code === "string") detail = `: ${e.code.slice(0, 80)}`;
  } catch {
    // not a registry error body
  }
  if (res.status === 404) return new LayerlintError("NOT_FOUND", `${what}: not found${detail}`);
  return new LayerlintError("REGISTRY_ERROR", `${what}: HTTP ${res.status}${detail}`);
}
