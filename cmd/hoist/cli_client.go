package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/hoist-ota/hoist/internal/client"
)

// upload sends the file at path to the project's files, drawing a progress
// bar on progress.
func upload(ctx context.Context, api *client.Client, projectID string, typ int, path string, progress io.Writer) (client.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return client.File{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return client.File{}, err
	}
	if !st.Mode().IsRegular() {
		return client.File{}, usageError{fmt.Sprintf("--file %s: not a regular file", path)}
	}
	bar := progressbar.NewOptions64(st.Size(),
		progressbar.OptionSetWriter(progress),
		progressbar.OptionSetDescription("uploading "+filepath.Base(path)),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionShowCount(),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(progress) }),
	)
	counted := progressbar.NewReader(f, bar)
	out, err := api.Upload(ctx, projectID, typ, filepath.Base(path), &counted, st.Size())
	if !bar.IsFinished() {
		bar.Exit()
		fmt.Fprintln(progress)
	}
	return out, err
}
