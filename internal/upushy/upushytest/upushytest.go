// Package upushytest gives tests an upushy-server database: a uniquely
// named MySQL/MariaDB database loaded with upushy.sql (schema and sample
// data, documented there), dropped at cleanup.
package upushytest

import (
	"crypto/rand"
	"database/sql"
	_ "embed"
	"encoding/hex"
	"os"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/hoist-ota/hoist/internal/store/storetest"
)

//go:embed upushy.sql
var fixture string

// Sample data of upushy.sql that tests check against.
const (
	ShopProject   = "866116d35b382bb6e1ae0cbb484b9950" // alice's, with resources
	BobsProject   = "303833f732f6c0e578a61363f682c92f"
	AliceID       = "414d432bb906dd74f797f207adfd1009"
	AlicePassword = "alice-upushy-1"
	BobID         = "309dbd17044739b532782991660a69ea"
	BobPassword   = "bob-upushy-22"
	NativeID      = "1e0820e3ac9e15af1667dc57251c64ab" // android 1.1.19 (1119)
	WgtID         = "392029975c32603c4480e4a3edbe5f7c" // wgt-android 1.1.25 (1125) on 1119
	WgtURL        = "https://uni-pushy.oss-cn-hangzhou.aliyuncs.com/2021-02/2021-02-28%2016:46:64.1614502019649.__UNI__B843CC0.wgt"
	DisabledWgtID = "44b5c0aded072d35cf0a867dad617aca" // wgt-android 1.1.26, disabled
	RelativeWgtID = "1c89cb43e15780541b5364046d267f41" // wgt-ios with a relative url
)

// DSN creates a database loaded with upushy.sql on the server of
// HOIST_TEST_MYSQL_DSN and returns its DSN. It skips the test when the
// variable is not set.
func DSN(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(storetest.EnvMySQLDSN)
	if base == "" {
		tb.Skipf("upushy: skipped (set %s: upushy databases are MySQL)", storetest.EnvMySQLDSN)
	}
	cfg, err := mysql.ParseDSN(base)
	if err != nil {
		tb.Fatalf("upushytest: %s: %v", storetest.EnvMySQLDSN, err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "upushy_test_" + hex.EncodeToString(b[:])
	cfg.DBName = ""
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := admin.Exec("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4"); err != nil {
		admin.Close()
		tb.Fatalf("upushytest: create database: %v", err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS `" + name + "`"); err != nil {
			tb.Errorf("upushytest: drop %s: %v", name, err)
		}
	})
	cfg.DBName = name
	load := cfg.Clone()
	load.MultiStatements = true
	db, err := sql.Open("mysql", load.FormatDSN())
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(fixture); err != nil {
		tb.Fatalf("upushytest: load upushy.sql: %v", err)
	}
	return cfg.FormatDSN()
}
