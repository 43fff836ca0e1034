package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// cliLogin runs `hoist login --server URL [--token T]`: it checks the token
// against the server and stores both for later commands. Without --token
// (or HOIST_TOKEN) the token is read from standard input, so that it need
// not appear in the shell history. The token is never printed.
func cliLogin(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs, c := newCLIFlagSet("login", "hoist login --server URL [--token hst_...]", stderr)
	pos, err := parseCLI(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{"login: unexpected argument " + pos[0]}
	}
	if c.server == "" {
		c.server = os.Getenv(envServer)
	}
	if c.server == "" {
		return usageError{"login: --server is required"}
	}
	server, err := normalizeServer(c.server)
	if err != nil {
		return err
	}
	token := c.token
	if token == "" {
		token = os.Getenv(envToken)
	}
	if token == "" {
		if token, err = readToken(stdin, stderr); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	u, err := newAPIClient(server, token).Me(ctx)
	if err != nil {
		return err
	}
	path, err := saveLogin(storedLogin{Server: server, Token: token})
	if err != nil {
		return fmt.Errorf("login: store the login: %w", err)
	}
	if c.json {
		return printJSON(stdout, u)
	}
	fmt.Fprintf(stdout, "Logged in to %s as %s (%s). Stored in %s.\n", server, u.Username, u.Role, path)
	return nil
}

// readToken reads an API token from standard input: prompted for without
// echo on a terminal, the first line otherwise.
func readToken(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "API token: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		return strings.TrimSpace(string(b)), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("login: read token: %w", err)
	}
	if line = strings.TrimSpace(line); line == "" {
		return "", usageError{"login: give --token, set " + envToken + ", or pass the token on standard input"}
	}
	return line, nil
}

// cliLogout runs `hoist logout`: it forgets the stored login. The token
// stays valid on the server; revoke it there to end it.
func cliLogout(args []string, stdout, stderr io.Writer) error {
	flags, _ := newCLIFlagSet("logout", "hoist logout", stderr)
	pos, err := parseCLI(flags, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{"logout: unexpected argument " + pos[0]}
	}
	path, err := loginPath()
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	fmt.Fprintln(stdout, "Logged out (the token itself stays valid until revoked on the server).")
	return nil
}
