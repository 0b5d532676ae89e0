package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/containerd/containerd/containers"
	"github.com/containerd/containerd/oci"
	"github.com/containerd/continuity/fs"
	"github.com/docker/docker/pkg/containerfs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runc/libcontainer/user"
)

// userResult is one resolver's answer for the image config's User.
type userResult struct {
	Uid *uint32 `json:"uid"`
	Gid *uint32 `json:"gid"`
	// Error: the container would not start.
	Error *string `json:"error"`
	// Kind classifies Error: "not-found" (no such name, or no passwd to
	// look a name up in: ENOENT, or ENOTDIR when /etc is not a directory),
	// "range" (runc's 0..MaxInt32 check) or "unreadable" (passwd or group
	// exists but could not be read or parsed: a directory, a line over
	// bufio.Scanner's 64 KiB, a symlink loop, a FIFO whose open would block).
	Kind *string `json:"kind"`
}

func failed(err error) userResult {
	kind := "unreadable"
	switch {
	case errors.Is(err, oci.ErrNoUsersFound), errors.Is(err, oci.ErrNoGroupsFound),
		errors.Is(err, user.ErrNoPasswdEntries), errors.Is(err, user.ErrNoGroupEntries),
		errors.Is(err, os.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		kind = "not-found"
	case errors.Is(err, user.ErrRange):
		kind = "range"
	}
	return userResult{Error: strPtr(err.Error()), Kind: &kind}
}

func ok(uid, gid uint32) userResult { return userResult{Uid: &uid, Gid: &gid} }

// fifoAt fails when path is a FIFO: opening it for reading waits for a
// writer forever, so the runtime's lookup (and the container's start) never
// finishes. The oracle says so ("unreadable") instead of waiting for it.
func fifoAt(paths ...string) error {
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.Mode()&os.ModeNamedPipe != 0 {
			return fmt.Errorf("open %s: a FIFO, which blocks until a writer opens it", p)
		}
	}
	return nil
}

// containerdFiles are the files oci.UserFromPath and GIDFromPath open:
// fs.RootPath of /etc/passwd and /etc/group under the root.
func containerdFiles(root string) []string {
	var out []string
	for _, f := range []string{"/etc/passwd", "/etc/group"} {
		if p, err := fs.RootPath(root, f); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// containerdUser is what containerd puts in the spec for an image's User:
// oci.WithImageConfigArgs calls WithUser only for a non-empty User (the
// default spec's 0:0 stays otherwise), then WithAdditionalGIDs
// (https://github.com/containerd/containerd/blob/v1.6.20/oci/spec_opts.go).
//
// legacy=false calls Debian's oci.WithUser itself, which carries the fix
// for CVE-2024-40635 (GHSA-265r-hfxg-fhmg): a number outside 0..MaxInt32 is
// looked up as a name. legacy=true is upstream v1.6.20 as released, before
// that fix: strconv.Atoi, then uint32(v), so "4294967296" is uid 0 and "-1"
// is 4294967295. That branch is written here (legacyWithUser), calling the
// same WithUserID / WithUsername / UserFromPath / GIDFromPath.
func containerdUser(root, userstr string, legacy bool) userResult {
	ctx := context.Background()
	s := &oci.Spec{
		Root:    &specs.Root{Path: root},
		Process: &specs.Process{},
		Linux:   &specs.Linux{},
	}
	c := &containers.Container{}
	if err := fifoAt(containerdFiles(root)...); err != nil {
		return failed(err)
	}
	if userstr != "" {
		with := oci.WithUser
		if legacy {
			with = legacyWithUser
		}
		if err := with(userstr)(ctx, nil, c, s); err != nil {
			return failed(err)
		}
		if err := oci.WithAdditionalGIDs(fmt.Sprintf("%d", s.Process.User.UID))(ctx, nil, c, s); err != nil {
			return failed(err)
		}
	} else if err := oci.WithAdditionalGIDs("root")(ctx, nil, c, s); err != nil {
		return failed(err)
	}
	return ok(s.Process.User.UID, s.Process.User.GID)
}

// legacyWithUser: containerd v1.6.20's WithUser before the CVE-2024-40635
// fix, numeric parsing only (see containerdUser).
func legacyWithUser(userstr string) oci.SpecOpts {
	return func(ctx context.Context, client oci.Client, c *containers.Container, s *oci.Spec) error {
		parts := strings.Split(userstr, ":")
		switch len(parts) {
		case 1:
			v, err := strconv.Atoi(parts[0])
			if err != nil {
				return oci.WithUsername(userstr)(ctx, client, c, s)
			}
			return oci.WithUserID(uint32(v))(ctx, client, c, s)
		case 2:
			var username, groupname string
			var uid, gid uint32
			if v, err := strconv.Atoi(parts[0]); err != nil {
				username = parts[0]
			} else {
				uid = uint32(v)
			}
			if v, err := strconv.Atoi(parts[1]); err != nil {
				groupname = parts[1]
			} else {
				gid = uint32(v)
			}
			if username != "" {
				u, err := oci.UserFromPath(s.Root.Path, func(u user.User) bool { return u.Name == username })
				if err != nil {
					return err
				}
				uid = uint32(u.Uid)
			}
			if groupname != "" {
				g, err := oci.GIDFromPath(s.Root.Path, func(g user.Group) bool { return g.Name == groupname })
				if err != nil {
					return err
				}
				gid = g
			}
			s.Process.User.UID, s.Process.User.GID = uid, gid
			return nil
		default:
			return fmt.Errorf("invalid USER value %s", userstr)
		}
	}
}

// mobyDaemonUser is the daemon's getUser (daemon/oci_linux.go, called for
// every container, an empty User included): /etc/passwd and /etc/group
// resolved in the scope of the rootfs (containerfs ResolveScopedPath, i.e.
// symlink.FollowSymlinkInScope), then GetExecUserPath with nil defaults.
// It runs chrooted at the rootfs, so the scope is "/".
func mobyDaemonUser(userstr string) userResult {
	fs := containerfs.NewLocalContainerFS("/")
	passwd, err := fs.ResolveScopedPath("/etc/passwd", false)
	if err != nil {
		return failed(err)
	}
	group, err := fs.ResolveScopedPath("/etc/group", false)
	if err != nil {
		return failed(err)
	}
	if err := fifoAt(passwd, group); err != nil {
		return failed(err)
	}
	u, err := user.GetExecUserPath(userstr, nil, passwd, group)
	if err != nil {
		return failed(err)
	}
	return ok(uint32(u.Uid), uint32(u.Gid))
}

// runcStage is runc's setupUser (libcontainer/init_linux.go) inside the
// container: GetExecUserPath("UID:GID" from the spec, defaults 0:0 "/",
// /etc/passwd, /etc/group). It keeps the uid but fails the start when
// passwd or group cannot be read. Must run chrooted at the rootfs.
func runcStage(prev userResult) userResult {
	if prev.Error != nil {
		return prev
	}
	if err := fifoAt("/etc/passwd", "/etc/group"); err != nil {
		return failed(err)
	}
	spec := fmt.Sprintf("%d:%d", *prev.Uid, *prev.Gid)
	u, err := user.GetExecUserPath(spec, &user.ExecUser{Uid: 0, Gid: 0, Home: "/"}, "/etc/passwd", "/etc/group")
	if err != nil {
		return failed(err)
	}
	return ok(uint32(u.Uid), uint32(u.Gid))
}
