package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/store"
)

// migrate runs `hoist migrate [up|status]`.
func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	action := "up"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		action, args = args[0], args[1:]
	}
	if action != "up" && action != "status" {
		return usageError{fmt.Sprintf("migrate: unknown action %q (want up or status)", action)}
	}
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	log := newLogger(cfg.Log, stderr)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	st, err := store.Open(ctx, cfg.DB, log)
	if err != nil {
		return err
	}
	defer st.Close()

	if action == "up" {
		applied, err := st.Migrate(ctx, version)
		for _, m := range applied {
			fmt.Fprintf(stdout, "applied %05d %s\n", m.Version, m.Name)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d migration(s) applied; schema is current\n", len(applied))
		return nil
	}

	ms, err := st.Migrations(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tSTATE\tAPPLIED AT\tFILE")
	pending := 0
	for _, m := range ms {
		state, at := "pending", "-"
		if m.Applied {
			state, at = "applied", m.AppliedAt.UTC().Format(time.RFC3339)
		} else {
			pending++
		}
		fmt.Fprintf(tw, "%05d\t%s\t%s\t%s\n", m.Version, state, at, m.Name)
	}
	tw.Flush()
	by, err := st.MigratedBy(ctx)
	switch {
	case err == nil:
		fmt.Fprintf(stdout, "last migrated by hoist %s; %d pending\n", by, pending)
	case apperr.Is(err, apperr.NotFound) || pending == len(ms):
		fmt.Fprintf(stdout, "never migrated; %d pending\n", pending)
	default:
		return err
	}
	return nil
}
