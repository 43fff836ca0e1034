// Package upushytest gives tests an upushy-server database: a uniquely
// named MySQL/MariaDB database loaded with upushy.sql (schema and sample
// data, documented there), dropped at cleanup.
package upushytest

import (
	"crypto/rand"
	"database/sql"
	_ "embed"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
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
	LiLeiProject  = "4f9925e00ecd7de6bb97376c57f286ad" // 李雷's
	CarolProject  = "7a1c0e9b2f3d4c5b6a79881726354433" // carol's, who cannot be imported
	AliceID       = "414d432bb906dd74f797f207adfd1009"
	AlicePassword = "alice-upushy-1" // argon2i
	BobID         = "309dbd17044739b532782991660a69ea"
	BobPassword   = "bob-upushy-22"
	LiLeiID       = "c83ba5ec5150e2d56f38bb205b1d673f" // username 李雷
	LiLeiPassword = "li-upushy-333"
	DaveID        = "5d0f1c2b3a4e5f60718293a4b5c6d7e8" // username "dave smith"
	CarolID       = "8f965a13a5f49864dc8eeb955b52396f" // bare md5 password: not importable
	NativeID      = "1e0820e3ac9e15af1667dc57251c64ab" // android 1.1.19 (1119)
	WgtID         = "02b3a7f4a5ddc2faff756a92d264f3e3" // wgt-android 1.1.25 (1125) on 1119, the one upushy served
	DupWgtID      = "392029975c32603c4480e4a3edbe5f7c" // the other wgt-android 1125
	DisabledWgtID = "44b5c0aded072d35cf0a867dad617aca" // wgt-android 1.1.26, disabled
	IOSWgtID      = "1c89cb43e15780541b5364046d267f41" // wgt-ios 1.1.25 on 1119
	AppStoreID    = "2e9c888d518106f218a0cb8f860aa6d9" // type 4, itms-apps:// link
	AppStoreURL   = "itms-apps://itunes.apple.com/cn/app/id1234567890"

	// OSSBucket and OSSEndpoint are upushy's ALIYUN_OSS_BUCKET and
	// ALIYUN_OSS_ENDPOINT; OSSBase is what upushy put before the keys.
	OSSBucket   = "uni-pushy"
	OSSEndpoint = "oss-cn-hangzhou"
	OSSBase     = "https://uni-pushy.oss-cn-hangzhou.aliyuncs.com"
	// WgtURL is WgtID's key under OSSBase, the spaces escaped.
	WgtURL = OSSBase + "/2021-02/2021-02-28%2016:46:65.1614502020112.__UNI__B843CC0.wgt"
)

// Config writes an upushy-server env.production.yaml (as its README
// documents it) for the database of dsn and the fixture's bucket, and
// returns its path.
func Config(tb testing.TB, dsn string) string {
	tb.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		tb.Fatal(err)
	}
	yaml := fmt.Sprintf(`# upushy-server configuration
SERVER_PORT: '3000'
PRO_DOC: true
WEB_OSS: false
JWT_SECRET: 'JWT_SECRET'
API_SIGN_RSA_PRIVATE_KEY_BASE64: ''
API_SIGN_TIME_OUT: 15

ALIYUN_OSS_ENDPOINT: '%s'
ALIYUN_OSS_BUCKET: '%s'

ALIYUN_ACCOUNT_ID: 'xxxxxxxxxxxx'
ALIYUN_ACCOUNT_RAM_ROLE: 'xxxxxx'
ALIYUN_RAM_ACCESS_KEY_ID: 'xxxxxx'
ALIYUN_RAM_ACCESS_KEY_SECRET: 'xxxxxx'
ALIYUN_RAM_TEMPORARY_EXPIRE: 15

DB_HOST: '%s'
DB_PORT: %s
DB_USER: '%s'
DB_PASSWORD: '%s'
DB_DATABASE: '%s'

REDIS_HOST: '0.0.0.0'
REDIS_PORT: '6379'
REDIS_DB: 1
REDIS_PASSWORD: 'password'
`, OSSEndpoint, OSSBucket, host, port, cfg.User, cfg.Passwd, cfg.DBName)
	path := filepath.Join(tb.TempDir(), "env.production.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

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
