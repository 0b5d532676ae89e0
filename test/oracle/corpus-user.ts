// Corpus, family "user resolution": runc's GetExecUser
// (https://github.com/opencontainers/runc/blob/v1.1.5/libcontainer/user/user.go)
// and containerd's WithUser
// (https://github.com/containerd/containerd/blob/v1.6.20/oci/spec_opts.go).
import { file, packTar, symlink } from "../../fixtures/lib/tar-pack.js";
import type { CorpusCase } from "./corpus.js";

const passwd = (...lines: string[]) => async () => [await packTar([file("etc/passwd", lines.join(""))])];

export const userCases: CorpusCase[] = [
  {
    id: "passwd-hash-line",
    family: "user resolution",
    user: "#admin",
    about: "runc has no comment syntax: '#admin:x:0:0:…' is the user '#admin', uid 0",
    layers: passwd("root:x:0:0:root:/root:/sbin/nologin\n", "#admin:x:0:0::/:/bin/sh\n"),
    gate: 1,
  },
  {
    id: "passwd-nel",
    family: "user resolution",
    user: "app",
    about: "bytes.TrimSpace strips U+0085 (unicode.IsSpace): the first line is app, uid 0 (JS trim() keeps U+0085)",
    layers: passwd("\u0085app:x:0:0::/:/bin/sh\n", "app:x:1000:1000::/:/bin/sh\n"),
    gate: 1,
  },
  {
    id: "passwd-bom",
    family: "user resolution",
    user: "app",
    about: "bytes.TrimSpace keeps U+FEFF: the first line is '\\ufeffapp', the second app is uid 0 (JS trim() strips U+FEFF)",
    layers: passwd("\ufeffapp:x:1000:1000::/:/bin/sh\n", "app:x:0:0::/:/bin/sh\n"),
    gate: 1,
  },
  {
    id: "user-4294967296",
    family: "user resolution",
    user: "4294967296",
    about:
      "containerd before the CVE-2024-40635 fix: uint32(4294967296) is uid 0; Debian's containerd looks the " +
      "name up (none); runc: uids must be in range",
    layers: passwd("root:x:0:0:root:/root:/sbin/nologin\n"),
    gate: 1,
  },
  {
    id: "user-4294967296-named",
    family: "user resolution",
    user: "4294967296",
    about: "containerd looks an out-of-range number up as a name: the account '4294967296' is uid 0",
    layers: passwd("root:x:0:0:root:/root:/sbin/nologin\n", "4294967296:x:0:0::/:/bin/sh\n"),
    gate: 1,
  },
  {
    id: "user-minus-1-named",
    family: "user resolution",
    user: "-1",
    about: "containerd looks -1 up as a name (uid 0 here); legacy containerd makes it 4294967295, which runc refuses",
    layers: passwd("root:x:0:0:root:/root:/sbin/nologin\n", "-1:x:0:0::/:/bin/sh\n"),
    gate: 1,
  },
  {
    id: "user-2147483648-named",
    family: "user resolution",
    user: "2147483648",
    about: "2147483648 > MaxInt32: containerd looks it up as a name (uid 0 here); runc refuses the number",
    layers: passwd("root:x:0:0:root:/root:/sbin/nologin\n", "2147483648:x:0:0::/:/bin/sh\n"),
    gate: 1,
  },
  {
    id: "passwd-is-a-directory",
    family: "user resolution",
    user: "1000",
    about: "/etc/passwd is a directory: opening works, reading fails (EISDIR), so every resolver errors: undetermined",
    layers: async () => [await packTar([{ path: "etc/passwd", type: "dir", mode: 0o755, uid: 0, gid: 0 }])],
    gate: 1,
  },
  {
    id: "passwd-is-a-directory-empty-user",
    family: "user resolution",
    user: "",
    about:
      "no User at all: moby's getUser still reads /etc/passwd (GetExecUser), and runc's setupUser reads it as the " +
      "container starts whatever containerd put in the spec: EISDIR everywhere, undetermined",
    layers: async () => [await packTar([{ path: "etc/passwd", type: "dir", mode: 0o755, uid: 0, gid: 0 }])],
    gate: 1,
  },
  {
    id: "group-is-a-directory",
    family: "user resolution",
    user: "1000",
    about: "/etc/group is a directory: runc's setupUser reads it for the 'uid:gid' it resolves (ParseGroupFilter fails), containerd for supplementary groups",
    layers: async () => [await packTar([{ path: "etc/group", type: "dir", mode: 0o755, uid: 0, gid: 0 }])],
    gate: 1,
  },
  {
    id: "passwd-symlink-loop",
    family: "user resolution",
    user: "1000",
    about: "/etc/passwd is a symlink loop: moby's FollowSymlinkInScope and containerd's fs.RootPath fail, numeric User or not",
    layers: async () => [await packTar([symlink("etc/passwd", "loop"), symlink("etc/loop", "passwd")])],
    gate: 1,
  },
  {
    id: "passwd-symlink-loop-empty-user",
    family: "user resolution",
    user: "",
    about:
      "no User and /etc/passwd a symlink loop: containerd never resolves the path (no WithUser) and runc ignores the " +
      "failed open (ELOOP): uid 0",
    layers: async () => [await packTar([symlink("etc/passwd", "loop"), symlink("etc/loop", "passwd")])],
    gate: 1,
  },
  {
    id: "passwd-line-over-64k",
    family: "user resolution",
    user: "app",
    about: "a passwd line over bufio.Scanner's 64 KiB token limit: runc's parser fails (token too long)",
    layers: passwd("app:x:1000:1000::/:/bin/sh\n", `${"x".repeat(70_000)}\n`),
    gate: 1,
  },
];
