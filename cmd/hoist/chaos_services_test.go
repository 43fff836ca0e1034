//go:build chaos

package main

import (
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
)

// The fault suite's own service processes, on free ports under a temp dir,
// stopped by PID: never the shared ones on 3306, 6379 and 1883.

func listening(port int) bool {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
	if err == nil {
		c.Close()
	}
	return err == nil
}

// service is a restartable process.
type service struct {
	name  string
	args  []string
	port  int
	ready func() bool
	cmd   *exec.Cmd
	log   *os.File
}

func (s *service) start(tb testing.TB) {
	tb.Helper()
	s.cmd = exec.Command(s.args[0], s.args[1:]...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		tb.Fatalf("%s: %v", s.name, err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for !s.ready() {
		if time.Now().After(deadline) {
			tb.Fatalf("%s did not come up on port %d (log %s)", s.name, s.port, s.log.Name())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop ends the process with sig and waits for it.
func (s *service) stop(sig syscall.Signal) {
	if s.cmd == nil || s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Signal(sig)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

func newService(tb testing.TB, dir, name string, port int, ready func() bool, args ...string) *service {
	tb.Helper()
	log, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		tb.Fatal(err)
	}
	s := &service{name: name, args: args, port: port, ready: ready, log: log}
	tb.Cleanup(func() { s.stop(syscall.SIGKILL); log.Close() })
	return s
}

// privateMariaDB installs a fresh data directory and starts mariadbd on a
// free port (root, no password).
func privateMariaDB(tb testing.TB) *service {
	tb.Helper()
	dir := tb.TempDir()
	data := filepath.Join(dir, "mdb")
	install := exec.Command("mariadb-install-db", "--no-defaults", "--datadir="+data, "--user=root", "--auth-root-authentication-method=normal")
	if out, err := install.CombinedOutput(); err != nil {
		tb.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	port := loopbackPort(tb)
	dsn := fmt.Sprintf("root@tcp(127.0.0.1:%d)/", port)
	ready := func() bool {
		db, err := sql.Open("mysql", dsn)
		if err != nil {
			return false
		}
		defer db.Close()
		return db.Ping() == nil
	}
	s := newService(tb, dir, "mariadb", port, ready, "mariadbd", "--no-defaults", "--datadir="+data,
		fmt.Sprintf("--port=%d", port), "--bind-address=127.0.0.1", "--socket="+filepath.Join(dir, "mdb.sock"),
		"--pid-file="+filepath.Join(dir, "mdb.pid"), "--user=root", "--skip-name-resolve",
		"--innodb-flush-log-at-trx-commit=1", "--innodb-buffer-pool-size=128M")
	s.start(tb)
	return s
}

// privateRedis starts redis-server on a free port, keeping nothing on disk.
func privateRedis(tb testing.TB) *service {
	tb.Helper()
	dir := tb.TempDir()
	port := loopbackPort(tb)
	s := newService(tb, dir, "redis", port, func() bool { return listening(port) }, "redis-server",
		"--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
	s.start(tb)
	return s
}

// privateMosquitto starts Mosquitto 2 on a free port with persistence (its
// sessions and queued messages survive a graceful restart) and no limit on
// queued messages.
func privateMosquitto(tb testing.TB) *service {
	tb.Helper()
	dir := tb.TempDir()
	port := loopbackPort(tb)
	conf := filepath.Join(dir, "mosquitto.conf")
	// user root: run as root, Mosquitto would drop to user mosquitto and
	// could not write its persistence file in the test's directory.
	body := fmt.Sprintf("user root\nlistener %d 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location %s/\n"+
		"max_queued_messages 0\nmax_inflight_messages 1000\n", port, dir)
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		tb.Fatal(err)
	}
	s := newService(tb, dir, "mosquitto", port, func() bool { return listening(port) }, "mosquitto", "-c", conf)
	s.start(tb)
	return s
}
