package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	osuser "os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rabbitNode is a private RabbitMQ node on free loopback ports under a temp
// dir, never the shared rabbit@localhost: its MQTT plugin authenticates
// devices through Hoist's hooks at hookBase.
type rabbitNode struct {
	name                 string // NAME@localhost
	dir                  string
	amqp, dist, mqtt, ws int
	env                  []string
	proc                 *exec.Cmd
}

// rabbitServer returns the rabbitmq-server binary, or skips the test.
func rabbitServer(tb testing.TB) string {
	tb.Helper()
	for _, p := range []string{"rabbitmq-server", "/usr/sbin/rabbitmq-server", "/usr/lib/rabbitmq/bin/rabbitmq-server"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	tb.Skip("rabbitmq-server is not installed (apt-get install rabbitmq-server)")
	return ""
}

// loopbackPort returns a loopback port nobody listens on now.
func loopbackPort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// newRabbitNode prepares (not starts) a node with AMQP on amqpPort (0: a
// free one) whose HTTP auth backend is Hoist at hookBase (http://host:port)
// with hookSecret; with hookBase "" it keeps RabbitMQ's internal users
// (guest/guest from loopback).
func newRabbitNode(tb testing.TB, amqpPort int, hookBase, hookSecret string) *rabbitNode {
	tb.Helper()
	server := rabbitServer(tb)
	if amqpPort == 0 {
		amqpPort = loopbackPort(tb)
	}
	n := &rabbitNode{dir: tb.TempDir(), amqp: amqpPort, dist: loopbackPort(tb), mqtt: loopbackPort(tb), ws: loopbackPort(tb)}
	n.name = fmt.Sprintf("hoist-test-%d@localhost", n.amqp)
	hook := strings.Replace(hookBase, "://", "://rabbitmq:"+hookSecret+"@", 1) + "/api/hooks/rabbitmq/"
	lines := []string{
		fmt.Sprintf("mqtt.listeners.tcp.default = 127.0.0.1:%d", n.mqtt),
		fmt.Sprintf("web_mqtt.tcp.port = %d", n.ws),
		"web_mqtt.tcp.ip = 127.0.0.1",
		"mqtt.allow_anonymous = false",
		"log.console = false",
		"log.file.level = info",
	}
	if hookBase != "" {
		lines = append(lines, "auth_backends.1 = http", "auth_http.http_method = post",
			"auth_http.user_path = "+hook+"user", "auth_http.vhost_path = "+hook+"vhost",
			"auth_http.resource_path = "+hook+"resource", "auth_http.topic_path = "+hook+"topic")
	}
	conf := strings.Join(lines, "\n") + "\n"
	files := map[string]string{
		"rabbitmq.conf":   conf,
		"enabled_plugins": "[rabbitmq_mqtt,rabbitmq_web_mqtt,rabbitmq_auth_backend_http].\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(n.dir, name), []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	for _, d := range []string{"mnesia", "log"} {
		if err := os.Mkdir(filepath.Join(n.dir, d), 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	// As root the server drops to the rabbitmq user, which must own the
	// directory (else cannot_log_to_file ... eacces).
	if os.Geteuid() == 0 {
		if u, err := osuser.Lookup("rabbitmq"); err == nil {
			uid, _ := strconv.Atoi(u.Uid)
			gid, _ := strconv.Atoi(u.Gid)
			filepath.Walk(n.dir, func(p string, _ os.FileInfo, _ error) error { return os.Lchown(p, uid, gid) })
			os.Chown(filepath.Dir(n.dir), uid, gid)
		}
	}
	n.env = append(os.Environ(),
		"RABBITMQ_NODENAME="+n.name,
		"RABBITMQ_NODE_IP_ADDRESS=127.0.0.1",
		fmt.Sprintf("RABBITMQ_NODE_PORT=%d", n.amqp),
		fmt.Sprintf("RABBITMQ_DIST_PORT=%d", n.dist),
		"RABBITMQ_MNESIA_BASE="+filepath.Join(n.dir, "mnesia"),
		"RABBITMQ_LOG_BASE="+filepath.Join(n.dir, "log"),
		"RABBITMQ_PID_FILE="+filepath.Join(n.dir, "rabbitmq.pid"),
		"RABBITMQ_ENABLED_PLUGINS_FILE="+filepath.Join(n.dir, "enabled_plugins"),
		"RABBITMQ_CONFIG_FILE="+filepath.Join(n.dir, "rabbitmq"),
	)
	n.proc = exec.Command(server)
	tb.Cleanup(func() { n.stop(tb) })
	return n
}

// start runs the node and waits (up to 60 s) for its AMQP and MQTT
// listeners.
func (n *rabbitNode) start(tb testing.TB) {
	tb.Helper()
	cmd := exec.Command(n.proc.Path)
	cmd.Env = n.env
	out, err := os.Create(filepath.Join(n.dir, "server.out"))
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	n.proc = cmd
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	for deadline := time.Now().Add(60 * time.Second); !dialable(n.mqtt) || !dialable(n.amqp); time.Sleep(200 * time.Millisecond) {
		select {
		case <-exited:
			deadline = time.Time{}
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(n.dir, "server.out"))
			tb.Fatalf("RabbitMQ node %s did not come up:\n%s", n.name, log)
		}
	}
}

// stop stops the node with rabbitmqctl (the only clean way), then makes
// sure its process is gone.
func (n *rabbitNode) stop(tb testing.TB) {
	if n.proc == nil || n.proc.Process == nil {
		return
	}
	ctl := exec.Command("rabbitmqctl", "-n", n.name, "stop")
	if _, err := exec.LookPath("rabbitmqctl"); err != nil {
		ctl = exec.Command("/usr/sbin/rabbitmqctl", "-n", n.name, "stop")
	}
	ctl.Env = n.env
	if out, err := ctl.CombinedOutput(); err != nil {
		tb.Logf("rabbitmqctl stop %s: %v %s", n.name, err, out)
	}
	for deadline := time.Now().Add(30 * time.Second); dialable(n.amqp) && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
	}
	if pid, err := os.ReadFile(filepath.Join(n.dir, "rabbitmq.pid")); err == nil {
		if p, err := strconv.Atoi(strings.TrimSpace(string(pid))); err == nil && dialable(n.amqp) {
			if proc, err := os.FindProcess(p); err == nil {
				proc.Kill()
			}
		}
	}
}

func dialable(port int) bool {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
	if err == nil {
		c.Close()
	}
	return err == nil
}
