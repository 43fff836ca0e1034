package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/store"
)

// user runs `hoist user create [-admin] NAME`. The password comes from
// standard input: prompted for (twice, without echo) on a terminal, read as
// the first line otherwise, so scripts can pipe it in.
func user(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError{"user: usage: hoist user create [-admin] [-email E] [-config FILE] NAME"}
	}
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	admin := fs.Bool("admin", false, "give the user the admin role")
	email := fs.String("email", "", "email address")
	// Flags may come before or after NAME.
	var name string
	rest := args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		name, rest = rest[0], rest[1:]
	}
	cfg, err := loadConfig(fs, rest)
	if err != nil {
		return err
	}
	if name == "" && fs.NArg() == 1 {
		name = fs.Arg(0)
	}
	if name == "" || fs.NArg() > 1 || (fs.NArg() == 1 && name != fs.Arg(0)) {
		return usageError{"user create: give exactly one NAME"}
	}

	password, err := readPassword(stdin, stderr)
	if err != nil {
		return err
	}

	log := newLogger(cfg.Log, stderr)
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	st, err := store.Open(ctx, cfg.DB, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx, version); err != nil {
		return err
	}
	if _, err := cfg.EnsureJWTSecret(); err != nil {
		return err
	}
	role := account.RoleUser
	if *admin {
		role = account.RoleAdmin
	}
	u, err := newAccounts(cfg, st, log).CreateUser(ctx, account.NewUser{Username: name, Password: password, Email: *email}, role)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s %s (id %s)\n", u.Role, u.Username, u.ID)
	return nil
}

func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password: ")
		p1, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stderr, "Repeat password: ")
		p2, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if string(p1) != string(p2) {
			return "", usageError{"user create: the passwords differ"}
		}
		return string(p1), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("user create: read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usageError{"user create: no password on standard input"}
	}
	return line, nil
}
