package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/upushyimport"
)

const importUsage = "hoist import upushy --upushy-config env.production.yaml [--owner ADMIN] [--dry-run] [--json] [-config FILE]\n" +
	"       (or --dsn 'user:pass@tcp(host:3306)/upushy' with --oss-bucket B --oss-endpoint oss-cn-REGION, or --url-base URL;\n" +
	"        --time-zone ZONE for DATETIME time columns)"

// maxStoredReport bounds the report kept for the panel (MySQL's
// settings.value is a MEDIUMTEXT of 16 MiB).
const maxStoredReport = 4 << 20

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("dry run")

// importFlags are the options of `hoist import upushy`.
type importFlags struct {
	upushyConfig, dsn, bucket, endpoint, urlBase, timeZone, owner string
	dryRun, asJSON                                                bool
}

// importCmd runs `hoist import upushy`: it copies users, projects and
// resources from an upushy-server database into Hoist's database (the one
// of the configuration), keeping their ids, in one transaction. It can run
// again: what is already there is reported and left alone. --dry-run
// prints the same report and writes nothing.
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "upushy" {
		return usageError{"import: usage: " + importUsage}
	}
	fs := flag.NewFlagSet("import upushy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f importFlags
	fs.StringVar(&f.upushyConfig, "upushy-config", "", "upushy-server's env.production.yaml: its database and OSS bucket")
	fs.StringVar(&f.dsn, "dsn", "", "the upushy MySQL database (go-sql-driver DSN); overrides the one of --upushy-config")
	fs.StringVar(&f.bucket, "oss-bucket", "", "upushy's ALIYUN_OSS_BUCKET; overrides --upushy-config's")
	fs.StringVar(&f.endpoint, "oss-endpoint", "", "upushy's ALIYUN_OSS_ENDPOINT (oss-cn-hangzhou); overrides --upushy-config's")
	fs.StringVar(&f.urlBase, "url-base", "", "put this before upushy's OSS object keys instead of https://BUCKET.ENDPOINT.aliyuncs.com (a CDN domain bound to the bucket)")
	fs.StringVar(&f.timeZone, "time-zone", "UTC", "IANA time zone of upushy's DATETIME time columns (upushy's own TIMESTAMP columns need none)")
	fs.StringVar(&f.owner, "owner", "", "username of a Hoist administrator who owns the projects of upushy users that cannot be imported")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print what would be imported and skipped, and write nothing")
	fs.BoolVar(&f.asJSON, "json", false, "print the report as JSON")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n\nFlags:\n", importUsage)
		fs.PrintDefaults()
	}
	cfg, err := loadConfig(fs, args[1:])
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"import: usage: " + importUsage}
	}
	dsn, opts, loc, err := f.resolve()
	if err != nil {
		return err
	}
	log := newLogger(cfg.Log, stderr)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()

	src, err := upushyimport.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer src.Close()
	data, err := upushyimport.Read(ctx, src, loc)
	if err != nil {
		return err
	}
	im := upushyimport.NewImporter(upushyimport.Stores{}, opts, time.Now)
	if err := im.Check(data); err != nil {
		return err // before the Hoist database is even opened
	}

	st, err := store.Open(ctx, cfg.DB, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := prepareSchema(ctx, st, f.dryRun); err != nil {
		return err
	}
	rep, err := runImport(ctx, st, data, opts, f.dryRun, sourceName(dsn))
	if err != nil {
		return err
	}
	if f.asJSON {
		if err := printJSON(stdout, rep); err != nil {
			return err
		}
	} else {
		printImportReport(stdout, rep)
	}
	if !f.dryRun {
		announceImport(ctx, cfg, rep.Projects, stderr)
	}
	return nil
}

// resolve turns the flags into the upushy DSN, the importer's options and
// the time zone; a missing database or a bad value is a usage error.
func (f importFlags) resolve() (string, upushyimport.Options, *time.Location, error) {
	var uc upushyimport.Config
	if f.upushyConfig != "" {
		c, err := upushyimport.LoadConfig(f.upushyConfig)
		if err != nil {
			return "", upushyimport.Options{}, nil, err
		}
		uc = c
	}
	dsn := cmpOr(f.dsn, uc.DSN)
	if dsn == "" {
		return "", upushyimport.Options{}, nil, usageError{"import: give --upushy-config (upushy's env.production.yaml) or --dsn\nusage: " + importUsage}
	}
	opts := upushyimport.Options{URLBase: f.urlBase, Owner: f.owner}
	bucket, endpoint := cmpOr(f.bucket, uc.OSSBucket), cmpOr(f.endpoint, uc.OSSEndpoint)
	if opts.URLBase == "" && (bucket != "" || endpoint != "") {
		base, err := upushyimport.OSSBase(bucket, endpoint)
		if err != nil {
			return "", upushyimport.Options{}, nil, usageError{"import: --oss-bucket and --oss-endpoint (or upushy's ALIYUN_OSS_BUCKET and ALIYUN_OSS_ENDPOINT): " + err.Error()}
		}
		opts.URLBase = base
	}
	loc, err := upushyimport.ParseTimeZone(f.timeZone)
	if err != nil {
		return "", upushyimport.Options{}, nil, err
	}
	return dsn, opts, loc, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// prepareSchema migrates Hoist's database, except in a dry run, which
// writes nothing and so needs a current schema.
func prepareSchema(ctx context.Context, st *store.Store, dryRun bool) error {
	if !dryRun {
		_, err := st.Migrate(ctx, version)
		return err
	}
	ms, err := st.Migrations(ctx)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if !m.Applied {
			return usageError{"import: Hoist's database schema is not current (a dry run writes nothing): run `hoist migrate` first"}
		}
	}
	return nil
}

// runImport imports data in one transaction and keeps the report as the
// last import's; a dry run rolls everything back.
func runImport(ctx context.Context, st *store.Store, data upushyimport.Data, opts upushyimport.Options, dryRun bool, source string) (upushyimport.Report, error) {
	var rep upushyimport.Report
	err := st.InTx(ctx, func(tx *store.Store) error {
		im := upushyimport.NewImporter(upushyimport.Stores{Accounts: tx.Accounts(), Projects: tx.Projects(), Releases: tx.Releases()}, opts, time.Now)
		var err error
		rep, err = im.Import(ctx, data)
		rep.Time, rep.DryRun, rep.Source = time.Now().UTC(), dryRun, source
		if err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		b, err := rep.Stored(maxStoredReport)
		if err != nil {
			return err
		}
		return tx.PutSetting(ctx, upushyimport.LastReportSetting, string(b))
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return rep, err
}

// sourceName names the upushy database without its credentials.
func sourceName(dsn string) string {
	c, err := mysql.ParseDSN(dsn)
	if err != nil {
		return ""
	}
	return c.Addr + "/" + c.DBName
}

func printImportReport(w io.Writer, rep upushyimport.Report) {
	if rep.DryRun {
		fmt.Fprintln(w, "dry run: nothing was written; \"imported\" below means it would be")
	}
	for _, e := range rep.Entries {
		line := fmt.Sprintf("%-8s %-8s %s %s", e.Outcome, e.Kind, e.ID, e.Name)
		if e.NewName != "" {
			line += " → " + e.NewName
		}
		if e.Reason != "" {
			line += ": " + e.Reason
		}
		fmt.Fprintln(w, line)
	}
	for _, k := range []string{upushyimport.KindUser, upushyimport.KindProject, upushyimport.KindResource} {
		fmt.Fprintf(w, "%ss: %d imported, %d already present, %d skipped\n", k,
			rep.Count(k, upushyimport.Imported), rep.Count(k, upushyimport.Present), rep.Count(k, upushyimport.Skipped))
	}
	if rep.URLBase != "" {
		fmt.Fprintln(w, "OSS object keys under:", rep.URLBase)
	}
	if rep.Times != "" {
		fmt.Fprintln(w, "times:", rep.Times)
	}
}

// announceImport tells running Hoist nodes, over the Redis change bus, that
// the projects' releases changed, so that their cached update-check answers
// are dropped now rather than when they expire (at most minutes later).
// Without Redis there is no bus: a single node's answers expire by
// themselves. Failures are reported, not returned: the import is done.
func announceImport(ctx context.Context, cfg config.Config, projects []string, stderr io.Writer) {
	if cfg.Redis.Addr == "" || len(projects) == 0 {
		return
	}
	log := newLogger(cfg.Log, stderr)
	rc, err := connectRedis(ctx, cfg, log)
	if err != nil {
		fmt.Fprintln(stderr, "hoist: import done, but running nodes were not told:", err)
		return
	}
	defer rc.Close()
	changes := releaseBus(rc, cfg, log)
	for _, id := range projects {
		changes.Publish(ctx, id)
	}
}
