/**
 * Where the rules' advice comes from, one constant per source, so a rule
 * cites by name and every URL is written once. Only stable addresses: the
 * CIS benchmark's landing page (its PDF needs a login), man7.org man pages,
 * NVD for CVEs, MITRE for CWEs, docs.docker.com, and dockle's checkpoint
 * list (https://github.com/goodwithtech/dockle/blob/master/CHECKPOINT.md),
 * which maps its CIS-DI codes to the CIS items.
 */
export interface RuleReference {
  title: string;
  url: string;
}

const CIS_URL = "https://www.cisecurity.org/benchmark/docker";
const DOCKLE = "https://github.com/goodwithtech/dockle/blob/master/CHECKPOINT.md";
const DOCKERFILE = "https://docs.docker.com/reference/dockerfile/";

function cis(item: string, title: string): RuleReference {
  return { title: `CIS Docker Benchmark ${item}: ${title}`, url: CIS_URL };
}

function dockle(code: string, title: string, anchor: string): RuleReference {
  return { title: `dockle ${code}: ${title}`, url: `${DOCKLE}#${anchor}` };
}

function man(page: string, section: number, what: string): RuleReference {
  return { title: `${page}(${section}): ${what}`, url: `https://man7.org/linux/man-pages/man${section}/${page}.${section}.html` };
}

function cwe(id: number, title: string): RuleReference {
  return { title: `CWE-${id}: ${title}`, url: `https://cwe.mitre.org/data/definitions/${id}.html` };
}

export const REF = {
  cisUser: cis("4.1", "Ensure that a user for the container has been created"),
  cisPackages: cis("4.3", "Ensure that unnecessary packages are not installed in the container"),
  cisHealthcheck: cis("4.6", "Ensure that HEALTHCHECK instructions have been added to container images"),
  cisSetuid: cis("4.8", "Ensure setuid and setgid permissions are removed"),
  cisSecrets: cis("4.10", "Ensure secrets are not stored in Dockerfiles"),
  cisTrustedBase: cis("4.2", "Ensure that containers use only trusted base images"),

  dockleUser: dockle("CIS-DI-0001", "Create a user for the container", "cis-di-0001-create-a-user-for-the-container"),
  docklePackages: dockle(
    "CIS-DI-0003",
    "Do not install unnecessary packages in the container",
    "cis-di-0003-do-not-install-unnecessary-packages-in-the-container",
  ),
  dockleHealthcheck: dockle(
    "CIS-DI-0006",
    "Add HEALTHCHECK instruction to the container image",
    "cis-di-0006-add-healthcheck-instruction-to-the-container-image",
  ),
  dockleSetuid: dockle("CIS-DI-0008", "Confirm safety of setuid and setgid files", "cis-di-0008-confirm-safety-of-setuid-and-setgid-files"),
  dockleSecrets: dockle("CIS-DI-0010", "Do not store secrets in Dockerfiles", "cis-di-0010-do-not-store-secrets-in-dockerfiles"),
  dockleLatest: dockle("DKL-DI-0006", "Avoid latest tag", "dkl-di-0006-avoid-latest-tag"),
  dockleEmptyPassword: dockle("DKL-LI-0001", "Avoid empty password", "dkl-li-0001-avoid-empty-password"),
  dockleUniqueUid: dockle("DKL-LI-0002", "Be unique UID/GROUPs", "dkl-li-0002-be-unique-uidgroups"),

  cve20195021: {
    title: "CVE-2019-5021: Alpine Docker images shipped root with an empty password",
    url: "https://nvd.nist.gov/vuln/detail/CVE-2019-5021",
  },

  dockerUser: { title: "Dockerfile reference: USER", url: `${DOCKERFILE}#user` },
  dockerHealthcheck: { title: "Dockerfile reference: HEALTHCHECK", url: `${DOCKERFILE}#healthcheck` },
  dockerShellForm: { title: "Dockerfile reference: shell and exec form", url: `${DOCKERFILE}#shell-and-exec-form` },
  dockerExpose: { title: "Dockerfile reference: EXPOSE", url: `${DOCKERFILE}#expose` },
  dockerBuildSecrets: { title: "Docker docs: Build secrets", url: "https://docs.docker.com/build/building/secrets/" },
  dockerMultiStage: { title: "Docker docs: Multi-stage builds", url: "https://docs.docker.com/build/building/multi-stage/" },
  dockerPinDigest: {
    title: "Docker docs: Building best practices, pin base image versions",
    url: "https://docs.docker.com/build/building/best-practices/#pin-base-image-versions",
  },
  dockerRunSecurityOpt: {
    title: "docker container run: --security-opt (no-new-privileges)",
    url: "https://docs.docker.com/reference/cli/docker/container/run/#security-opt",
  },
  dockerRunCapabilities: {
    title: "docker container run: runtime privilege and Linux capabilities",
    url: "https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities",
  },
  ociConfigUser: {
    title: "OCI image spec: config.User",
    url: "https://github.com/opencontainers/image-spec/blob/main/config.md#properties",
  },
  ociLayer: {
    title: "OCI image spec: image layer filesystem changeset (whiteouts)",
    url: "https://github.com/opencontainers/image-spec/blob/main/layer.md",
  },
  distroless: { title: "Distroless container images", url: "https://github.com/GoogleContainerTools/distroless" },
  busybox: { title: "BusyBox: the applets of one binary", url: "https://busybox.net/downloads/BusyBox.html" },

  manCapabilities: man("capabilities", 7, "file capabilities and the capability sets"),
  manSetcap: man("setcap", 8, "set or remove (-r) file capabilities"),
  manInode: man("inode", 7, "set-user-ID, set-group-ID and sticky bits"),
  manChmod: man("chmod", 1, "change file mode bits"),
  manShadow: man("shadow", 5, "shadowed password file"),
  manPasswd: man("passwd", 5, "the password file"),
  manCrypt: man("crypt", 5, "password hash formats and empty or locked fields"),
  manTar: man("tar", 5, "tar archive formats"),

  cweHardcodedCredentials: cwe(798, "Use of Hard-coded Credentials"),
  cweCleartextStorage: cwe(312, "Cleartext Storage of Sensitive Information"),
  cwePermissions: cwe(732, "Incorrect Permission Assignment for Critical Resource"),
  cwePathTraversal: cwe(22, "Improper Limitation of a Pathname to a Restricted Directory"),
  cweLinkFollowing: cwe(59, "Improper Link Resolution Before File Access"),
  cweFailOpen: cwe(636, "Not Failing Securely ('Failing Open')"),
  cweLeastPrivilege: cwe(250, "Execution with Unnecessary Privileges"),

  githubTokenFormats: {
    title: "GitHub docs: About authentication to GitHub, token prefixes",
    url: "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-authentication-to-github#githubs-token-formats",
  },
  awsAccessKeys: {
    title: "AWS IAM: Manage access keys for IAM users",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",
  },
  gitlabTokens: { title: "GitLab docs: Personal access tokens", url: "https://docs.gitlab.com/user/profile/personal_access_tokens/" },
  slackTokens: { title: "Slack API: Token types", url: "https://api.slack.com/concepts/token-types" },
  stripeKeys: { title: "Stripe docs: API keys", url: "https://docs.stripe.com/keys" },
  googleApiKeys: { title: "Google Cloud: Manage API keys", url: "https://cloud.google.com/docs/authentication/api-keys" },
  npmTokens: { title: "npm docs: About access tokens", url: "https://docs.npmjs.com/about-access-tokens" },
  rfc3986UserInfo: { title: "RFC 3986 §3.2.1: User Information (deprecated user:password)", url: "https://www.rfc-editor.org/rfc/rfc3986#section-3.2.1" },
} as const satisfies Record<string, RuleReference>;
