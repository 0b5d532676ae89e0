package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// batchInput is what `oracle batch` reads on stdin: many cases per process,
// so property tests pay the process start-up once per batch, not per sample.
type batchInput struct {
	// Work is a scratch directory; each apply gets a fresh subdirectory.
	Work  string      `json:"work"`
	Cases []batchCase `json:"cases"`
	// Jobs is how many applies run at once (default 2).
	Jobs int `json:"jobs"`
}

type batchCase struct {
	// Layers are uncompressed layer tar files, bottom first.
	Layers []string `json:"layers"`
	// User is the image config's User string.
	User string `json:"user"`
}

// caseResult holds one result per runtime.
type caseResult struct {
	Containerd *applyResult `json:"containerd"`
	Moby       *applyResult `json:"moby"`
}

var runtimes = []string{"containerd", "moby"}

func runBatch() {
	var in batchInput
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fatalf("batch input: %v", err)
	}
	if in.Jobs <= 0 {
		in.Jobs = 2
	}
	self, err := os.Executable()
	if err != nil {
		fatalf("executable: %v", err)
	}
	out := make([]caseResult, len(in.Cases))
	type job struct{ i, r int }
	jobs := make(chan job)
	var wg sync.WaitGroup
	for w := 0; w < in.Jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				res := runChild(self, in.Work, runtimes[j.r], in.Cases[j.i], fmt.Sprintf("c%d-%s", j.i, runtimes[j.r]))
				if j.r == 0 {
					out[j.i].Containerd = res
				} else {
					out[j.i].Moby = res
				}
			}
		}()
	}
	for i := range in.Cases {
		for r := range runtimes {
			jobs <- job{i, r}
		}
	}
	close(jobs)
	wg.Wait()
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fatalf("encode: %v", err)
	}
}

// runChild runs one apply in a child process inside its own temp dir, and
// removes the dir afterwards.
func runChild(self, work, runtime string, c batchCase, name string) *applyResult {
	dir, err := os.MkdirTemp(work, name+"-")
	if err != nil {
		return &applyResult{Error: strPtr("oracle: " + err.Error())}
	}
	defer os.RemoveAll(dir)
	// A fresh snapshot / graph-driver directory is 0755 root:root
	// (containerd's native snapshotter, moby's vfs driver).
	root := filepath.Join(dir, "rootfs")
	if err := os.Mkdir(root, 0o755); err != nil {
		return &applyResult{Error: strPtr("oracle: " + err.Error())}
	}
	if err := os.Chmod(root, 0o755); err != nil {
		return &applyResult{Error: strPtr("oracle: " + err.Error())}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	args := append([]string{"apply", runtime, dir, c.User}, c.Layers...)
	cmd := exec.CommandContext(ctx, self, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := fmt.Sprintf("oracle child (%s) failed: %v: %s", runtime, err, stderr.String())
		return &applyResult{Error: &msg, Crashed: true}
	}
	var res applyResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		msg := "oracle child output: " + err.Error() + ": " + strconv.Quote(stdout.String())
		return &applyResult{Error: &msg, Crashed: true}
	}
	return &res
}

func strPtr(s string) *string { return &s }

func fatalf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "oracle: "+format+"\n", args...)
	os.Exit(2)
}
