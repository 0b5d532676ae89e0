/**
 * File capabilities: the `security.capability` xattr.
 *
 * Layout (linux/include/uapi/linux/capability.h, struct vfs_cap_data and
 * vfs_ns_cap_data), all little-endian u32:
 *   magic_etc                      revision in the top byte, bit 0 = effective
 *   { permitted, inheritable } × n n = 1 for v1 (12 bytes), 2 for v2 (20 bytes)
 *   rootid                         v3 only (24 bytes): the namespace root uid
 * Word 0 holds caps 0..31, word 1 caps 32..63. The kernel rejects a value
 * whose size does not match its revision, so do we (as a finding, never a throw).
 */
import type { FileEntry } from "../types.js";
import type { Finding, Severity } from "../finding.js";
import type { Analyzer, RuleInfo } from "./analyzer.js";
import { isRegularFile, modeEvidence } from "./mode-text.js";
import { REF } from "../rules/references.js";

export const CAPABILITY_XATTR = "security.capability";

/** Linux capability numbers 0..40 (capability.h, up to CAP_CHECKPOINT_RESTORE). */
export const CAPABILITY_NAMES: readonly string[] = [
  "cap_chown", // 0
  "cap_dac_override",
  "cap_dac_read_search",
  "cap_fowner",
  "cap_fsetid",
  "cap_kill", // 5
  "cap_setgid",
  "cap_setuid",
  "cap_setpcap",
  "cap_linux_immutable",
  "cap_net_bind_service", // 10
  "cap_net_broadcast",
  "cap_net_admin",
  "cap_net_raw",
  "cap_ipc_lock",
  "cap_ipc_owner", // 15
  "cap_sys_module",
  "cap_sys_rawio",
  "cap_sys_chroot",
  "cap_sys_ptrace",
  "cap_sys_pacct", // 20
  "cap_sys_admin",
  "cap_sys_boot",
  "cap_sys_nice",
  "cap_sys_resource",
  "cap_sys_time", // 25
  "cap_sys_tty_config",
  "cap_mknod",
  "cap_lease",
  "cap_audit_write",
  "cap_audit_control", // 30
  "cap_setfcap",
  "cap_mac_override",
  "cap_mac_admin",
  "cap_syslog",
  "cap_wake_alarm", // 35
  "cap_block_suspend",
  "cap_audit_read",
  "cap_perfmon",
  "cap_bpf",
  "cap_checkpoint_restore", // 40
];

/** Capabilities that amount to root, or a short step to it. */
export const HIGH_RISK_CAPABILITIES: ReadonlySet<string> = new Set([
  "cap_sys_admin",
  "cap_sys_ptrace",
  "cap_sys_module",
  "cap_dac_override",
  "cap_dac_read_search",
  "cap_setuid",
  "cap_setgid",
  "cap_net_admin",
  "cap_sys_rawio",
  "cap_bpf",
  "cap_perfmon",
  "cap_sys_chroot",
  "cap_fowner",
  "cap_chown",
  "cap_mknod",
  "cap_sys_boot",
  "cap_linux_immutable",
  "cap_mac_admin",
  "cap_mac_override",
  "cap_setfcap",
  "cap_setpcap",
]);

const MEDIUM_RISK_CAPABILITIES: ReadonlySet<string> = new Set(["cap_net_raw", "cap_net_bind_service"]);

const VFS_CAP_REVISION_MASK = 0xff000000;
const VFS_CAP_FLAGS_EFFECTIVE = 0x000001;
const SIZES: Record<number, number> = { 1: 12, 2: 20, 3: 24 };

export interface FileCapabilities {
  version: 1 | 2 | 3;
  effective: boolean;
  /** Names, in capability-number order. */
  permitted: string[];
  inheritable: string[];
  /** v3 only: the uid that is root in the user namespace the caps apply to. */
  rootid?: number | undefined;
}

export type DecodeResult = { ok: true; caps: FileCapabilities } | { ok: false; reason: string };

function u32(b: Uint8Array, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
}

/** Names for the set bits of a 64-bit set given as two words; unknown bits become "cap_<n>". */
export function capabilityNames(lo: number, hi: number): string[] {
  const out: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    const word = bit < 32 ? lo : hi;
    if ((word >>> (bit & 31)) & 1) out.push(CAPABILITY_NAMES[bit] ?? `cap_${bit}`);
  }
  return out;
}

/** Decodes a raw `security.capability` value; never throws. */
export function decodeFileCapabilities(raw: Uint8Array): DecodeResult {
  if (raw.length < 4) return { ok: false, reason: `${raw.length} bytes, shorter than the 4-byte header` };
  const magic = u32(raw, 0);
  const revision = (magic & VFS_CAP_REVISION_MASK) >>> 24;
  const want = SIZES[revision];
  if (want === undefined) {
    return { ok: false, reason: `unknown revision 0x${magic.toString(16).padStart(8, "0")}` };
  }
  if (raw.length !== want) {
    return { ok: false, reason: `revision ${revision} needs ${want} bytes, got ${raw.length}` };
  }
  const words = revision === 1 ? 1 : 2;
  const p = [u32(raw, 4), words > 1 ? u32(raw, 12) : 0] as const;
  const i = [u32(raw, 8), words > 1 ? u32(raw, 16) : 0] as const;
  const caps: FileCapabilities = {
    version: revision as 1 | 2 | 3,
    effective: (magic & VFS_CAP_FLAGS_EFFECTIVE) !== 0,
    permitted: capabilityNames(p[0], p[1]),
    inheritable: capabilityNames(i[0], i[1]),
  };
  if (revision === 3) caps.rootid = u32(raw, 20);
  return { ok: true, caps };
}

function capNumber(name: string): number {
  const k = CAPABILITY_NAMES.indexOf(name);
  return k >= 0 ? k : Number(name.slice(4));
}

/** getcap-style text: "cap_net_raw=ep", "cap_a,cap_b=ep cap_c=i". */
export function formatCapabilities(c: FileCapabilities): string {
  const groups = new Map<string, string[]>();
  const perm = new Set(c.permitted);
  const inh = new Set(c.inheritable);
  const union = [...new Set([...c.permitted, ...c.inheritable])].sort((a, b) => capNumber(a) - capNumber(b));
  for (const name of union) {
    const p = perm.has(name);
    const i = inh.has(name);
    const flags = (p && c.effective ? "e" : "") + (i ? "i" : "") + (p ? "p" : "");
    const list = groups.get(flags);
    if (list === undefined) groups.set(flags, [name]);
    else list.push(name);
  }
  return [...groups].map(([flags, names]) => `${names.join(",")}=${flags}`).join(" ") || "(empty)";
}

/**
 * Rated on permitted ∪ inheritable: an inheritable-only dangerous cap is
 * still one `capsh --inh` away from use.
 */
export function capabilitySeverity(c: FileCapabilities): Severity {
  const all = [...c.permitted, ...c.inheritable];
  if (all.some((n) => HIGH_RISK_CAPABILITIES.has(n))) return "high";
  if (all.some((n) => MEDIUM_RISK_CAPABILITIES.has(n))) return "medium";
  return all.length > 0 ? "low" : "info";
}

export const CAPABILITY_RULES: readonly RuleInfo[] = [
  {
    id: "file-capability",
    category: "capability",
    severity: "medium",
    references: [REF.manCapabilities, REF.manSetcap, REF.dockerRunCapabilities],
    title: "File with Linux capabilities",
    help:
      "File capabilities (`security.capability`) grant privileges such as cap_net_raw or cap_sys_admin " +
      "to whoever runs the file, like a finer-grained setuid. Dangerous ones (cap_sys_admin, cap_setuid, " +
      "cap_dac_override…) are as good as root. High for those, medium for the other privileged ones, low for the " +
      "rest, info for an empty set.",
    fix:
      "Drop them (`setcap -r FILE` in the Dockerfile) when the image does not need them, and grant what the " +
      "container needs through the runtime (`--cap-add`) instead.",
  },
  {
    id: "file-capability-malformed",
    category: "capability",
    severity: "medium",
    references: [REF.manCapabilities, REF.manSetcap],
    title: "Unreadable security.capability xattr",
    help:
      "The xattr has an unknown revision or the wrong size, so the kernel would refuse it; a crafted " +
      "value may target a different decoder than the kernel's.",
    fix: "Rebuild the layer with `setcap` so the value is well-formed, or remove it with `setcap -r FILE`.",
  },
];

function hex(b: Uint8Array, max = 32): string {
  let s = "";
  for (let k = 0; k < Math.min(b.length, max); k++) s += b[k]!.toString(16).padStart(2, "0");
  return b.length > max ? `${s}…` : s;
}

function finding(e: FileEntry, raw: Uint8Array): Finding {
  const r = decodeFileCapabilities(raw);
  if (!r.ok) {
    return {
      ruleId: "file-capability-malformed",
      category: "capability",
      severity: "medium",
      message: `${e.path} has a malformed ${CAPABILITY_XATTR} xattr: ${r.reason}`,
      path: e.path,
      layer: e.layer,
      inFinalImage: true,
      evidence: { reason: r.reason, bytes: raw.length, hex: hex(raw), ...modeEvidence(e) },
    };
  }
  const c = r.caps;
  const evidence: Record<string, unknown> = {
    capabilities: c.permitted,
    effective: c.effective,
    version: c.version,
    text: formatCapabilities(c),
    ...modeEvidence(e),
  };
  if (c.inheritable.length > 0) evidence["inheritable"] = c.inheritable;
  if (c.rootid !== undefined) evidence["rootid"] = c.rootid;
  return {
    ruleId: "file-capability",
    category: "capability",
    severity: capabilitySeverity(c),
    message: `${e.path} has file capabilities ${formatCapabilities(c)}`,
    path: e.path,
    layer: e.layer,
    inFinalImage: true,
    evidence,
  };
}

export const capabilitiesAnalyzer: Analyzer = {
  id: "capabilities",
  rules: CAPABILITY_RULES,
  finish(ctx) {
    const out: Finding[] = [];
    for (const e of ctx.files) {
      const raw = e.xattrs?.[CAPABILITY_XATTR];
      if (raw === undefined || !isRegularFile(ctx.files, e)) continue;
      out.push(finding(e, raw));
    }
    return out;
  },
};
