package main

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/store/storetest"
)

// A database or Redis that does not answer at start is retried for
// startupTimeout, then serve gives up naming the key to look at.
func TestStartupGivesUpNamingTheKey(t *testing.T) {
	closed := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln.Close()
		return ln.Addr().String()
	}
	cases := map[string][]string{
		"db.dsn (HOIST_DB_DSN)": {"HOIST_DB_DRIVER=mysql", "HOIST_DB_DSN=root@tcp(" + closed() + ")/hoist",
			"HOIST_JWT_SECRET=startup-test-secret-0123456789abcdef"},
		"redis.addr (HOIST_REDIS_ADDR)": {"HOIST_REDIS_ADDR=" + closed()},
	}
	for key, env := range cases {
		start := time.Now()
		code, _, stderr := runHoist(t, baseEnv(t, append(env, "HOIST_STARTUP_TIMEOUT=4s")...), "serve")
		if code == 0 || !strings.Contains(stderr, key) || !strings.Contains(stderr, "retrying") {
			t.Errorf("%s down: exit %d\n%s", key, code, stderr[max(0, len(stderr)-1500):])
		}
		if took := time.Since(start); took < 3*time.Second {
			t.Errorf("%s down: gave up after %s, before retrying for startupTimeout", key, took)
		}
	}
}

// A database that comes up while serve waits for it: serve starts.
func TestStartupWaitsForTheDatabase(t *testing.T) {
	db := storetest.DB(t, config.DriverMySQL) // a fresh database (skips without HOIST_TEST_MYSQL_DSN)
	cfg, err := mysql.ParseDSN(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	target := cfg.Addr
	// A port that refuses connections until the "database" comes up: then
	// it forwards to the test server.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	go func() {
		time.Sleep(2 * time.Second) // the database "starts" late: a schedule, not an assertion
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return
		}
		t.Cleanup(func() { ln.Close() })
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			go func() { io.Copy(u, c); u.Close() }()
			go func() { io.Copy(c, u); c.Close() }()
		}
	}()
	cfg.Addr = addr
	p := startServe(t, baseEnv(t, "HOIST_DB_DRIVER=mysql", "HOIST_DB_DSN="+cfg.FormatDSN(),
		"HOIST_JWT_SECRET=startup-test-secret-0123456789abcdef", "HOIST_STARTUP_TIMEOUT=30s"))
	if code, _ := mustGet(t, "http://"+p.addr("http")+"/readyz"); code != 200 {
		t.Fatalf("readyz %d", code)
	}
	if !strings.Contains(p.log(), "retrying") {
		t.Fatalf("no retry logged:\n%s", p.log())
	}
	p.stop(t)
}
