// Command oracle applies container image layers with the real unpackers of
// two container runtimes, as built from Debian's packaged sources, and prints
// the resulting filesystem tree and the resolved config user as JSON. The
// layerlint test suite compares its own `files` listing and user verdict
// with it (test/runtime-diff.test.ts).
//
//   - containerd 1.6.20: archive.Apply
//     https://github.com/containerd/containerd/blob/v1.6.20/archive/tar.go
//     and oci.WithUser
//     https://github.com/containerd/containerd/blob/v1.6.20/oci/spec_opts.go
//   - moby 20.10.24: archive.UnpackLayer run inside a chroot of the
//     destination, as pkg/chrootarchive does
//     https://github.com/moby/moby/blob/v20.10.24/pkg/archive/diff.go
//     https://github.com/moby/moby/blob/v20.10.24/pkg/chrootarchive/diff_unix.go
//     and the daemon's getUser + runc's GetExecUser
//     https://github.com/moby/moby/blob/v20.10.24/daemon/oci_linux.go
//     https://github.com/opencontainers/runc/blob/v1.1.5/libcontainer/user/user.go
//
// Usage:
//
//	oracle batch < cases.json       parent: runs every case, prints results
//	oracle apply RUNTIME DIR USER LAYER...   child (internal)
//
// Isolation: nothing is ever written on the host's root. Every apply runs in
// a child process (a re-exec of this binary) that opens the layer files,
// then chroot(2)s into a fresh temp directory before the first byte is
// unpacked. The binary is static (CGO_ENABLED=0), so it needs nothing from
// inside the chroot.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: oracle batch | oracle apply RUNTIME DIR USER LAYER...")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "batch":
		runBatch()
	case "apply":
		if len(os.Args) < 5 {
			fmt.Fprintln(os.Stderr, "usage: oracle apply RUNTIME DIR USER LAYER...")
			os.Exit(2)
		}
		runApply(os.Args[2], os.Args[3], os.Args[4], os.Args[5:])
	default:
		fmt.Fprintf(os.Stderr, "oracle: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}
