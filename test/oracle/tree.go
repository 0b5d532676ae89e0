package main

import (
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"syscall"

	"golang.org/x/sys/unix"
)

// treeEntry is one path of an unpacked tree, read back with lstat.
type treeEntry struct {
	// Path is the hex of the raw bytes of the absolute path inside the
	// root ("2f" is "/"): names are bytes, not text.
	Path string `json:"path"`
	Type string `json:"type"`
	// Mode holds the permission bits with setuid/setgid/sticky, octal ("4755").
	Mode string `json:"mode"`
	Uid  uint32 `json:"uid"`
	Gid  uint32 `json:"gid"`
	Size int64  `json:"size"`
	// Link is the hex of a symlink's target.
	Link *string `json:"link"`
	// Inode and Nlink let tests see which names share an inode (hardlinks).
	Inode uint64 `json:"inode"`
	Nlink uint64 `json:"nlink"`
	// Capability is the hex of the security.capability xattr, if any.
	Capability *string `json:"capability"`
	// Rdev is "major:minor" for device nodes.
	Rdev *string `json:"rdev"`
}

func typeOf(m uint32) string {
	switch m & syscall.S_IFMT {
	case syscall.S_IFREG:
		return "file"
	case syscall.S_IFDIR:
		return "dir"
	case syscall.S_IFLNK:
		return "symlink"
	case syscall.S_IFCHR:
		return "char"
	case syscall.S_IFBLK:
		return "block"
	case syscall.S_IFIFO:
		return "fifo"
	default:
		return "socket"
	}
}

// walkTree lists root and everything under it, never following symlinks.
func walkTree(root string) []treeEntry {
	out := []treeEntry{}
	var visit func(abs, rel string)
	visit = func(abs, rel string) {
		var st syscall.Stat_t
		if err := syscall.Lstat(abs, &st); err != nil {
			return
		}
		e := treeEntry{
			Path:  hex.EncodeToString([]byte(rel)),
			Type:  typeOf(st.Mode),
			Mode:  fmt.Sprintf("%04o", st.Mode&0o7777),
			Uid:   st.Uid,
			Gid:   st.Gid,
			Inode: st.Ino,
			Nlink: uint64(st.Nlink),
		}
		if e.Type == "file" {
			e.Size = st.Size
		}
		if e.Type == "symlink" {
			if l, err := os.Readlink(abs); err == nil {
				e.Link = strPtr(hex.EncodeToString([]byte(l)))
			}
			e.Size = st.Size
		}
		if e.Type == "char" || e.Type == "block" {
			e.Rdev = strPtr(fmt.Sprintf("%d:%d", unix.Major(st.Rdev), unix.Minor(st.Rdev)))
		}
		if c := capability(abs); c != nil {
			e.Capability = strPtr(hex.EncodeToString(c))
		}
		out = append(out, e)
		if e.Type != "dir" {
			return
		}
		f, err := os.Open(abs)
		if err != nil {
			return
		}
		names, _ := f.Readdirnames(-1)
		f.Close()
		sort.Strings(names)
		for _, n := range names {
			child := rel + "/" + n
			if rel == "/" {
				child = "/" + n
			}
			visit(filepath.Join(abs, n), child)
		}
	}
	visit(root, "/")
	return out
}

func capability(path string) []byte {
	buf := make([]byte, 256)
	n, err := unix.Lgetxattr(path, "security.capability", buf)
	if err != nil {
		return nil
	}
	return buf[:n]
}

// escaped lists the entries of dir other than keep, as hex paths.
func escaped(dir, keep string) []string {
	out := []string{}
	f, err := os.Open(dir)
	if err != nil {
		return out
	}
	defer f.Close()
	names, _ := f.Readdirnames(-1)
	sort.Strings(names)
	for _, n := range names {
		if n != keep {
			out = append(out, hex.EncodeToString([]byte("/"+n)))
		}
	}
	return out
}
