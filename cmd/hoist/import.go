package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/upushy"
)

const importUsage = "hoist import upushy --dsn 'user:pass@tcp(host:3306)/upushy' [--url-base URL] [--json] [-config FILE]"

// importCmd runs `hoist import upushy`: it copies users, projects and
// resources from an upushy-server database into Hoist's database (the one
// of the configuration), keeping their ids. It can run again: what is
// already there is reported and left alone.
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "upushy" {
		return usageError{"import: usage: " + importUsage}
	}
	fs := flag.NewFlagSet("import upushy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("dsn", "", "the upushy MySQL database (go-sql-driver DSN)")
	urlBase := fs.String("url-base", "", "URL that upushy served its own uploads under, for resources stored with a relative url")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n\nFlags:\n", importUsage)
		fs.PrintDefaults()
	}
	cfg, err := loadConfig(fs, args[1:])
	if err != nil {
		return err
	}
	if *dsn == "" || fs.NArg() > 0 {
		return usageError{"import: usage: " + importUsage}
	}
	log := newLogger(cfg.Log, stderr)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()

	src, err := upushy.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer src.Close()
	data, err := upushy.Read(ctx, src)
	if err != nil {
		return err
	}

	st, err := store.Open(ctx, cfg.DB, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx, version); err != nil {
		return err
	}
	im := upushy.NewImporter(upushy.Stores{Accounts: st.Accounts(), Projects: st.Projects(), Releases: st.Releases()},
		upushy.Options{URLBase: *urlBase}, time.Now)
	rep, err := im.Import(ctx, data)
	if *asJSON {
		if perr := printJSON(stdout, rep); perr != nil && err == nil {
			err = perr
		}
	} else {
		printImportReport(stdout, rep)
	}
	if err != nil {
		return err
	}
	announceImport(ctx, cfg, st, rep.Projects, stderr)
	return nil
}

func printImportReport(w io.Writer, rep upushy.Report) {
	for _, e := range rep.Entries {
		line := fmt.Sprintf("%-8s %-8s %s %s", e.Outcome, e.Kind, e.ID, e.Name)
		if e.Reason != "" {
			line += ": " + e.Reason
		}
		fmt.Fprintln(w, line)
	}
	for _, k := range []string{upushy.KindUser, upushy.KindProject, upushy.KindResource} {
		fmt.Fprintf(w, "%ss: %d imported, %d already present, %d skipped\n", k,
			rep.Count(k, upushy.Imported), rep.Count(k, upushy.Present), rep.Count(k, upushy.Skipped))
	}
}

// announceImport tells running Hoist nodes, over the Redis change bus, that
// the projects' releases changed, so that their cached update-check answers
// are dropped now rather than when they expire (at most minutes later).
// Without Redis there is no bus: a single node's answers expire by
// themselves. Failures are reported, not returned: the import is done.
func announceImport(ctx context.Context, cfg config.Config, st *store.Store, projects []string, stderr io.Writer) {
	if cfg.Redis.Addr == "" || len(projects) == 0 {
		return
	}
	log := newLogger(cfg.Log, stderr)
	sv, err := newServices(ctx, cfg, st, log)
	if err != nil {
		fmt.Fprintln(stderr, "hoist: import done, but running nodes were not told:", err)
		return
	}
	defer sv.close()
	if sv.bus == nil {
		return
	}
	for _, id := range projects {
		sv.bus.Publish(ctx, id)
	}
}
