import type { RuleInfo } from "./analyzer.js";
import { REF } from "../rules/references.js";

export const SETUID_RULES: readonly RuleInfo[] = [
  {
    id: "setuid-binary",
    category: "setuid",
    severity: "high",
    title: "File with the setuid bit",
    help:
      "A setuid executable runs with its owner's privileges whatever user starts it. A setuid-root binary " +
      "is a classic privilege-escalation path inside a container when it has a bug or can spawn a shell. " +
      "HIGH when owned by root or writable by its group or others, and for a stock name (passwd, su, mount…) " +
      "an installed package claims but that is not root-owned; MEDIUM for a file owned by another user. " +
      "A file an installed package claims stays at its severity, with the package named: a package " +
      "database is written by the image's author too, so only the stock set below (setuid-stock) is ever lowered.",
    fix:
      "Remove the bit (`chmod u-s FILE` in the Dockerfile), remove the package that ships the file, or run " +
      "the container with `--security-opt no-new-privileges`.",
    references: [REF.cisSetuid, REF.dockleSetuid, REF.manInode, REF.dockerRunSecurityOpt],
  },
  {
    id: "setgid-binary",
    category: "setgid",
    severity: "medium",
    title: "File with the setgid bit",
    help:
      "A setgid executable runs with its group's privileges whatever user starts it; group root or a " +
      "privileged group (shadow, mail) gives access to files the user could not otherwise read. " +
      "MEDIUM for group root, LOW for another group.",
    fix: "Remove the bit (`chmod g-s FILE` in the Dockerfile) or remove the package that ships the file.",
    references: [REF.cisSetuid, REF.dockleSetuid, REF.manInode],
  },
  {
    id: "setuid-stock",
    category: "setuid",
    severity: "low",
    title: "The distribution's stock setuid/setgid files, as installed by their packages",
    help:
      "Debian, Ubuntu and Fedora base images ship account and mount tools with the setuid or setgid bit: passwd, su, " +
      "mount, umount, chfn, chsh, gpasswd, newgrp, chage, expiry and unix_chkpwd; Alpine's busybox-suid installs bbsuid. " +
      "They are expected, so they are one LOW finding listing each path, mode, owner and package, like dockle's " +
      "single setuid checkpoint. A file is listed here only when it is in /bin, /sbin, /usr/bin or /usr/sbin, " +
      "owned by root and not writable by its group or others, claimed by an installed package of the image's " +
      "dpkg, apk or rpm database, and has that package's content: the digest the database records matches " +
      "(dpkg md5sums, apk checksums, rpm file digests), and it was not rewritten later (for dpkg, the file and " +
      "the package's .list come from the same layer; for apk and rpm, its setuid/setgid bits are the ones the " +
      "database records). Otherwise it is reported as setuid-binary (HIGH when root-owned, writable by others, or " +
      "not owned by root although a package claims it). A package database that is missing, too large or " +
      "unreadable never lowers anything: the finding then says ownership is unknown.",
    fix:
      "Nothing is required for a stock base image. To remove the attack surface, drop the bits in your Dockerfile " +
      "(`RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +`) or run with `--security-opt no-new-privileges`.",
    references: [REF.dockleSetuid, REF.cisSetuid, REF.dockerRunSecurityOpt],
  },
];
