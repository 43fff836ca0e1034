// Package storetest gives tests real, freshly migrated databases: a SQLite
// file per test always, and a uniquely named MySQL/MariaDB database per test
// when HOIST_TEST_MYSQL_DSN is set (it is dropped afterwards).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/store"
)

// EnvMySQLDSN names the variable holding a DSN of a MySQL server the tests
// may create databases on (its database name is ignored).
const EnvMySQLDSN = "HOIST_TEST_MYSQL_DSN"

// Drivers returns the drivers available to this test run.
func Drivers() []string {
	if os.Getenv(EnvMySQLDSN) != "" {
		return []string{config.DriverSQLite, config.DriverMySQL}
	}
	return []string{config.DriverSQLite}
}

// Each runs fn as a subtest per available driver, each with its own fresh
// migrated store. It reports, once, when MySQL is skipped.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	if os.Getenv(EnvMySQLDSN) == "" {
		t.Logf("mysql: skipped (set %s to run against MySQL/MariaDB)", EnvMySQLDSN)
	}
	for _, d := range Drivers() {
		t.Run(d, func(t *testing.T) { fn(t, MustOpen(t, d)) })
	}
}

// DB returns a config.DB for a new empty database of driver: a SQLite file
// in a temp dir, or a new MySQL database dropped at cleanup. It skips the
// test when driver is mysql and HOIST_TEST_MYSQL_DSN is not set.
func DB(tb testing.TB, driver string) config.DB {
	tb.Helper()
	c := config.Default().DB
	c.Driver = driver
	switch driver {
	case config.DriverSQLite:
		c.DSN = filepath.Join(tb.TempDir(), "hoist.db")
	case config.DriverMySQL:
		c.DSN = mysqlDatabase(tb)
		c.MaxOpenConns = 10
	default:
		tb.Fatalf("storetest: unknown driver %q", driver)
	}
	return c
}

// MustOpen returns a migrated store on a new empty database of driver,
// closed at cleanup.
func MustOpen(tb testing.TB, driver string) *store.Store {
	tb.Helper()
	return Open(tb, DB(tb, driver))
}

// Open returns a migrated store on c (from DB), closed at cleanup.
func Open(tb testing.TB, c config.DB) *store.Store {
	tb.Helper()
	driver := c.Driver
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := store.Open(ctx, c, Logger())
	if err != nil {
		tb.Fatalf("storetest: open %s: %v", driver, err)
	}
	tb.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx, "test"); err != nil {
		tb.Fatalf("storetest: migrate %s: %v", driver, err)
	}
	return s
}

// Logger returns a logger that discards everything.
func Logger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func mysqlDatabase(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvMySQLDSN)
	if base == "" {
		tb.Skipf("mysql: skipped (set %s to run against MySQL/MariaDB)", EnvMySQLDSN)
	}
	cfg, err := mysql.ParseDSN(base)
	if err != nil {
		tb.Fatalf("storetest: %s: %v", EnvMySQLDSN, err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "hoist_test_" + hex.EncodeToString(b[:])

	cfg.DBName = ""
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	if _, err := admin.Exec("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		admin.Close()
		tb.Fatalf("storetest: create database: %v", err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS `" + name + "`"); err != nil {
			tb.Errorf("storetest: drop database %s: %v", name, err)
		}
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}
