// Parser-level oracle for layerlint's tar reader: Go's own archive/tar, the
// reader containerd, moby, podman and buildkit apply layers with
// (https://github.com/golang/go/blob/master/src/archive/tar/reader.go).
//
// stdin: tar streams, each framed as an 8-byte big-endian length then the
// bytes. stdout: one JSON line per stream, in order:
//
//	{"entries":[{typeflag, name, linkname, size, mode, uid, gid, uname, gname,
//	  devmajor, devminor, mtime, xattrs}], "error": "..."}
//
// Strings and xattrs are hex (names are bytes); int64 fields are
// decimal strings (JSON numbers lose precision in JavaScript). Every entry's
// content is read to its end, as a runtime extracting it would, so errors
// that Go only reports while reading (truncated data, sparse data that does
// not match its map) show up as "error" after that entry.
package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"sort"
	"strconv"
)

type entry struct {
	Typeflag int         `json:"typeflag"`
	Name     string      `json:"name"`
	Linkname string      `json:"linkname"`
	Size     string      `json:"size"`
	Mode     string      `json:"mode"`
	Uid      string      `json:"uid"`
	Gid      string      `json:"gid"`
	Uname    string      `json:"uname"`
	Gname    string      `json:"gname"`
	Devmajor string      `json:"devmajor"`
	Devminor string      `json:"devminor"`
	Mtime    string      `json:"mtime"`
	Xattrs   [][2]string `json:"xattrs"`
}

type result struct {
	Entries []entry `json:"entries"`
	Error   string  `json:"error,omitempty"`
}

func read(stream []byte) result {
	res := result{Entries: []entry{}}
	tr := tar.NewReader(bytes.NewReader(stream))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return res
		}
		if err != nil {
			res.Error = err.Error()
			return res
		}
		keys := make([]string, 0, len(hdr.Xattrs))
		for k := range hdr.Xattrs { //nolint:staticcheck // Xattrs is what mergePAX fills and moby applies
			keys = append(keys, k)
		}
		sort.Strings(keys)
		xattrs := [][2]string{}
		for _, k := range keys {
			xattrs = append(xattrs, [2]string{hex.EncodeToString([]byte(k)), hex.EncodeToString([]byte(hdr.Xattrs[k]))}) //nolint:staticcheck
		}
		res.Entries = append(res.Entries, entry{
			Typeflag: int(hdr.Typeflag),
			Name:     hex.EncodeToString([]byte(hdr.Name)),
			Linkname: hex.EncodeToString([]byte(hdr.Linkname)),
			Size:     strconv.FormatInt(hdr.Size, 10),
			Mode:     strconv.FormatInt(hdr.Mode, 10),
			Uid:      strconv.Itoa(hdr.Uid),
			Gid:      strconv.Itoa(hdr.Gid),
			Uname:    hex.EncodeToString([]byte(hdr.Uname)),
			Gname:    hex.EncodeToString([]byte(hdr.Gname)),
			Devmajor: strconv.FormatInt(hdr.Devmajor, 10),
			Devminor: strconv.FormatInt(hdr.Devminor, 10),
			Mtime:    strconv.FormatInt(hdr.ModTime.Unix(), 10),
			Xattrs:   xattrs,
		})
		if _, err := io.Copy(io.Discard, tr); err != nil {
			res.Error = err.Error()
			return res
		}
	}
}

func main() {
	in := bufio.NewReader(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	var n [8]byte
	for {
		if _, err := io.ReadFull(in, n[:]); err == io.EOF {
			return
		} else if err != nil {
			panic(err)
		}
		stream := make([]byte, binary.BigEndian.Uint64(n[:]))
		if _, err := io.ReadFull(in, stream); err != nil {
			panic(err)
		}
		if err := enc.Encode(read(stream)); err != nil {
			panic(err)
		}
	}
}
