package main

// The release CLI: commands that talk to a running Hoist over its JSON API
// with an API token (login, projects, release, resources, resource, ota).

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/hoist-ota/hoist/internal/client"
	"github.com/hoist-ota/hoist/internal/config"
)

// Environment variables of the release CLI. They are not configuration keys
// of the server, which lets them pass.
const (
	envServer = config.EnvCLIServer
	envToken  = config.EnvCLIToken
)

// cliFlags are the flags every release CLI command takes.
type cliFlags struct {
	server string
	token  string
	json   bool
}

// newCLIFlagSet returns a flag set with the common flags. usage is the
// command's synopsis, printed above the flag list on -h and bad flags.
func newCLIFlagSet(name, usage string, stderr io.Writer) (*flag.FlagSet, *cliFlags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &cliFlags{}
	fs.StringVar(&c.server, "server", "", "Hoist URL, e.g. https://hoist.example.com (env "+envServer+"; default: the stored login)")
	fs.StringVar(&c.token, "token", "", "API token hst_... (env "+envToken+"; default: the stored login)")
	fs.BoolVar(&c.json, "json", false, "print the API's data as JSON instead of a table")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs, c
}

// parseCLI parses args, allowing flags after positional arguments
// (hoist resource rollout ID 20 --json), and returns the positional ones.
func parseCLI(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{fs.Name() + ": " + err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

// storedLogin is what `hoist login` keeps in the user's config directory.
type storedLogin struct {
	Server string `json:"server"`
	Token  string `json:"token"`
}

// loginPath is os.UserConfigDir()/hoist/cli.json.
func loginPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no user config directory to keep the login in: %w", err)
	}
	return filepath.Join(dir, "hoist", "cli.json"), nil
}

func loadLogin() (storedLogin, error) {
	path, err := loginPath()
	if err != nil {
		return storedLogin{}, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return storedLogin{}, err
	}
	var l storedLogin
	if err := json.Unmarshal(b, &l); err != nil {
		return storedLogin{}, fmt.Errorf("%s: %w (run hoist login again)", path, err)
	}
	return l, nil
}

// saveLogin writes the login readable by the user only, replacing the file
// at once so that a failed write leaves the previous login.
func saveLogin(l storedLogin) (string, error) {
	path, err := loginPath()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	b, _ := json.MarshalIndent(l, "", "  ")
	tmp, err := os.CreateTemp(filepath.Dir(path), ".cli-*.json")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return "", err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp.Name(), path)
}

// normalizeServer checks a server URL and drops trailing slashes.
func normalizeServer(s string) (string, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") || len(s) <= len("https://") {
		return "", usageError{fmt.Sprintf("--server %q: give the URL with http:// or https://", s)}
	}
	return s, nil
}

// client returns an API client for the server and token of the flags, the
// environment or the stored login, in that order. The stored token is only
// ever sent to the stored server.
func (c *cliFlags) client() (*client.Client, error) {
	server, token := c.server, c.token
	if server == "" {
		server = os.Getenv(envServer)
	}
	if token == "" {
		token = os.Getenv(envToken)
	}
	if server == "" || token == "" {
		l, err := loadLogin()
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if server == "" {
			server = l.Server
		}
		if token == "" && strings.TrimRight(server, "/") == l.Server {
			token = l.Token
		}
	}
	if server == "" || token == "" {
		return nil, usageError{"not logged in: run hoist login --server URL --token hst_..., or give --server and --token"}
	}
	server, err := normalizeServer(server)
	if err != nil {
		return nil, err
	}
	return newAPIClient(server, token), nil
}

// newAPIClient returns the API client of the release CLI.
func newAPIClient(server, token string) *client.Client {
	return client.New(server, client.Options{Token: token, UserAgent: "hoist-cli/" + version})
}

// printJSON writes v indented, for scripts.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table writes rows under a header (nil: none), aligned in columns.
func table(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if header != nil {
		fmt.Fprintln(tw, strings.Join(header, "\t"))
	}
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}
