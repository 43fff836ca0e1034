// Package store implements every domain Store interface on gorm, for MySQL /
// MariaDB (production) and SQLite (embedded). It owns opening the database,
// applying migrations and running transactions.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/go-sql-driver/mysql"
	gmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/config"
)

// Store is the database. Its methods are safe for concurrent use.
type Store struct {
	// db takes writes and transactions. With SQLite it is a single
	// connection: SQLite allows one writer, and queuing in the pool beats
	// failing with SQLITE_BUSY.
	db *gorm.DB
	// rdb takes plain reads. With SQLite (WAL) it is a separate pool so
	// readers never wait for the writer; with MySQL it is db.
	rdb     *gorm.DB
	dialect string
	log     *slog.Logger
}

// Open connects to the database described by cfg and checks that it answers.
// It does not migrate; call Migrate. The SQLite file's directory is created.
func Open(ctx context.Context, cfg config.DB, log *slog.Logger) (*Store, error) {
	gcfg := &gorm.Config{
		TranslateError:         true,
		SkipDefaultTransaction: true,
		Logger:                 newGormLogger(log),
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	s := &Store{dialect: cfg.Driver, log: log}
	switch cfg.Driver {
	case config.DriverSQLite:
		if cfg.DSN == "" {
			return nil, errors.New("store: sqlite needs a file path (db.dsn)")
		}
		if err := os.MkdirAll(filepath.Dir(sqlitePath(cfg.DSN)), 0o750); err != nil {
			return nil, fmt.Errorf("store: create database directory: %w", err)
		}
		w, err := gorm.Open(sqlite.Open(sqliteDSN(cfg.DSN, true)), gcfg)
		if err != nil {
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		r, err := gorm.Open(sqlite.Open(sqliteDSN(cfg.DSN, false)), gcfg)
		if err != nil {
			closeGorm(w)
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		s.db, s.rdb = w, r
		if err := pool(w, config.DB{MaxOpenConns: 1, MaxIdleConns: 1}); err != nil {
			s.Close()
			return nil, err
		}
		if err := pool(r, cfg); err != nil {
			s.Close()
			return nil, err
		}
	case config.DriverMySQL:
		dsn, err := mysqlDSN(cfg.DSN)
		if err != nil {
			return nil, err
		}
		db, err := gorm.Open(gmysql.Open(dsn), gcfg)
		if err != nil {
			return nil, fmt.Errorf("store: open mysql: %w", err)
		}
		s.db, s.rdb = db, db
		if err := pool(db, cfg); err != nil {
			s.Close()
			return nil, err
		}
	default:
		return nil, fmt.Errorf("store: unknown driver %q", cfg.Driver)
	}
	for _, db := range s.pools() {
		if err := registerUnavailable(db); err != nil {
			s.Close()
			return nil, err
		}
	}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: %w", err)
	}
	return s, nil
}

func pool(db *gorm.DB, cfg config.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("store: pool: %w", err)
	}
	sqlDB.SetMaxOpenConns(cfg.MaxOpenConns)
	sqlDB.SetMaxIdleConns(cfg.MaxIdleConns)
	sqlDB.SetConnMaxLifetime(cfg.ConnMaxLifetime)
	return nil
}

// sqlitePath returns the file path inside a DSN given as a path or file: URI.
func sqlitePath(dsn string) string {
	p := strings.TrimPrefix(dsn, "file:")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return p
}

// sqliteDSN builds the driver DSN: WAL so readers and the writer do not block
// each other, a busy timeout instead of immediate SQLITE_BUSY, foreign keys
// on, and for the writer BEGIN IMMEDIATE so a transaction takes the write
// lock up front rather than failing to upgrade it halfway.
func sqliteDSN(dsn string, writer bool) string {
	q := "_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
	if writer {
		q += "&_txlock=immediate"
	}
	return "file:" + sqlitePath(dsn) + "?" + q
}

// mysqlDSN enforces what the store relies on: times parsed as UTC, sessions
// in UTC, utf8mb4.
func mysqlDSN(dsn string) (string, error) {
	c, err := mysql.ParseDSN(dsn)
	if err != nil {
		return "", fmt.Errorf("store: db.dsn is not a valid MySQL DSN: %w", err)
	}
	c.ParseTime = true
	c.Loc = time.UTC
	if c.Params == nil {
		c.Params = map[string]string{}
	}
	c.Params["time_zone"] = "'+00:00'"
	if c.Collation == "" || !strings.HasPrefix(c.Collation, "utf8mb4") {
		c.Collation = "utf8mb4_unicode_ci"
	}
	return c.FormatDSN(), nil
}

// Dialect returns "sqlite" or "mysql".
func (s *Store) Dialect() string { return s.dialect }

// Ping checks that the database answers. It returns an apperr Unavailable
// error when it does not.
func (s *Store) Ping(ctx context.Context) error {
	for _, db := range s.pools() {
		sqlDB, err := db.DB()
		if err != nil {
			return apperr.Wrap(err, apperr.Unavailable, "database unavailable")
		}
		if err := sqlDB.PingContext(ctx); err != nil {
			return apperr.Wrap(err, apperr.Unavailable, "database unavailable")
		}
	}
	return nil
}

// Close closes every connection. It is safe to call more than once.
func (s *Store) Close() error {
	var errs []error
	for _, db := range s.pools() {
		errs = append(errs, closeGorm(db))
	}
	return errors.Join(errs...)
}

func (s *Store) pools() []*gorm.DB {
	if s.rdb == nil || s.rdb == s.db {
		return []*gorm.DB{s.db}
	}
	return []*gorm.DB{s.db, s.rdb}
}

func closeGorm(db *gorm.DB) error {
	if db == nil {
		return nil
	}
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// txAttempts bounds how often a transaction the database aborted to break
// a deadlock is run again.
const txAttempts = 5

// InTx runs fn with a Store whose every method uses one transaction; it
// commits when fn returns nil and rolls back otherwise (also on panic). A
// transaction MySQL chose as a deadlock victim is run again from the start,
// so fn must not have effects outside the transaction that a rerun would
// repeat. Nested calls run inside the outer transaction.
func (s *Store) InTx(ctx context.Context, fn func(tx *Store) error) error {
	var err error
	for attempt := 1; attempt <= txAttempts; attempt++ {
		err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return fn(&Store{db: tx, rdb: tx, dialect: s.dialect, log: s.log})
		})
		if !retryable(err) || ctx.Err() != nil {
			return asUnavailable(err)
		}
		time.Sleep(time.Duration(attempt*attempt) * 5 * time.Millisecond)
	}
	return asUnavailable(err)
}

// retryable reports whether err is MySQL's deadlock (1213) or lock wait
// timeout (1205), after which the whole transaction may simply run again.
func retryable(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}

// Pools returns the connection pools by role ("writer" and "reader" with
// SQLite, "main" with MySQL), for pool metrics.
func (s *Store) Pools() map[string]*sql.DB {
	out := map[string]*sql.DB{}
	if w, err := s.db.DB(); err == nil {
		if s.rdb == s.db {
			out["main"] = w
			return out
		}
		out["writer"] = w
	}
	if r, err := s.rdb.DB(); err == nil {
		out["reader"] = r
	}
	return out
}

// sqlDB returns the writer's *sql.DB (for migrations).
func (s *Store) sqlDB() (*sql.DB, error) { return s.db.DB() }

// translate maps gorm's translated errors to apperr codes; what names the
// thing for the message ("project", "setting").
func translate(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return apperr.Wrap(err, apperr.NotFound, "%s not found", what)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return apperr.Wrap(err, apperr.Conflict, "%s already exists", what)
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return apperr.Wrap(err, apperr.Conflict, "%s is referenced by or refers to a missing record", what)
	}
	return err
}

// notFound is the error for a write that matched no row.
func notFound(what string) error {
	return apperr.New(apperr.NotFound, "%s not found", what)
}
