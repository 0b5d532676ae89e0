package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	containerdarchive "github.com/containerd/containerd/archive"
	mobyarchive "github.com/docker/docker/pkg/archive"
)

// applyResult is one runtime's outcome for one image.
type applyResult struct {
	// Error is the first error the runtime returned (the pull or the layer
	// registration fails, so no container runs). The tree is then partial.
	Error *string `json:"error"`
	// Crashed: the child died or printed garbage (an oracle fault, not a
	// runtime verdict).
	Crashed bool        `json:"crashed,omitempty"`
	Tree    []treeEntry `json:"tree"`
	// Escaped lists (hex) paths the runtime created outside its root. Only
	// containerd can show any: its root is a subdirectory of the chroot.
	Escaped []string              `json:"escaped"`
	Users   map[string]userResult `json:"users"`
}

// runApply is the child: it opens the layers, chroots into dir and applies
// them there with one runtime's unpacker, then reports the tree and the user.
func runApply(runtime, dir, user string, layerPaths []string) {
	layers := make([]*os.File, len(layerPaths))
	for i, p := range layerPaths {
		f, err := os.Open(p)
		if err != nil {
			fatalf("open layer: %v", err)
		}
		layers[i] = f
	}
	var res applyResult
	switch runtime {
	case "containerd":
		res = applyContainerd(dir, user, layers)
	case "moby":
		res = applyMoby(dir, user, layers)
	default:
		fatalf("unknown runtime %q", runtime)
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		fatalf("encode: %v", err)
	}
}

func enterChroot(dir string) {
	if err := syscall.Chroot(dir); err != nil {
		fatalf("chroot %s: %v", dir, err)
	}
	if err := os.Chdir("/"); err != nil {
		fatalf("chdir: %v", err)
	}
}

// applyContainerd applies every layer with archive.Apply into /rootfs of a
// chroot at dir. containerd runs Apply in the daemon, on the host, with the
// snapshot directory as root and no chroot
// (https://github.com/containerd/containerd/blob/v1.6.20/diff/apply/apply_linux.go);
// keeping the root a subdirectory of our chroot reproduces that (the root
// is not "/") and makes any write outside the root visible in Escaped
// instead of landing on the host. The default (naive) whiteout conversion is
// the one the native snapshotter gets. Nothing in Apply depends on the
// working directory; it stays "/" of the chroot, like a daemon's.
func applyContainerd(dir, user string, layers []*os.File) applyResult {
	enterChroot(dir)
	syscall.Umask(0o022) // a systemd service's default umask
	const root = "/rootfs"
	var res applyResult
	for i, f := range layers {
		err := finishes(func() error {
			_, err := containerdarchive.Apply(context.Background(), root, f)
			return err
		})
		if err != nil {
			res.Error = strPtr(fmt.Sprintf("layer %d: %v", i, err))
			break
		}
	}
	res.Tree = walkTree(root)
	res.Escaped = escaped("/", "rootfs")
	res.Users = map[string]userResult{
		"containerd":        containerdUser(root, user, false),
		"containerd-legacy": containerdUser(root, user, true),
	}
	// runc then resolves the uid:gid the spec holds, inside the container
	// (libcontainer/init_linux.go setupUser): in a chroot of the rootfs.
	enterChroot(root)
	for _, k := range []string{"containerd", "containerd-legacy"} {
		res.Users[k] = runcStage(res.Users[k])
	}
	return res
}

// applyMoby mirrors pkg/chrootarchive's docker-applyLayer re-exec: chroot
// into the layer's directory, umask 0, a temp dir in "/" used as TMPDIR
// (for /.wh..wh.plnk hardlink sources), archive.UnpackLayer("/", layer),
// then the temp dir removed; one child per layer in docker, one chroot for
// all layers here (each layer still gets its own temp dir). The working
// directory is the chroot's "/", i.e. the extraction root, as after
// chrootarchive's chroot(): pkg/archive handleLChmod does
// os.Lstat(hdr.Linkname) relative to it for hardlinks, so a hardlink
// header's mode is applied exactly when the daemon applies it.
func applyMoby(dir, user string, layers []*os.File) applyResult {
	enterChroot(filepath.Join(dir, "rootfs"))
	syscall.Umask(0)
	var res applyResult
	for i, f := range layers {
		if err := finishes(func() error { return unpackMobyLayer(f) }); err != nil {
			res.Error = strPtr(fmt.Sprintf("layer %d: %v", i, err))
			break
		}
	}
	res.Tree = walkTree("/")
	res.Escaped = []string{}
	res.Users = map[string]userResult{"moby": runcStage(mobyDaemonUser(user))}
	return res
}

func unpackMobyLayer(layer io.Reader) error {
	tmp, err := os.MkdirTemp("/", "temp-docker-extract")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	os.Setenv("TMPDIR", tmp)
	_, err = mobyarchive.UnpackLayer("/", layer, &mobyarchive.TarOptions{ExcludePatterns: []string{}})
	return err
}

// applyDeadline bounds one layer's apply. A layer can make a runtime wait
// forever: Go's os.RemoveAll opens the parent of a path it cannot remove,
// and opening a FIFO waits for a writer (a FIFO "d" then a whiteout
// "d/.wh.x" does it to moby's UnpackLayer). The runtime never finishes
// that layer, so the image never unpacks: reported as that runtime's error
// (the stuck goroutine ends with the child process), not as an oracle fault.
const applyDeadline = 30 * time.Second

func finishes(apply func() error) error {
	done := make(chan error, 1)
	go func() { done <- apply() }()
	select {
	case err := <-done:
		return err
	case <-time.After(applyDeadline):
		return fmt.Errorf("blocked: the apply did not finish in %v", applyDeadline)
	}
}
