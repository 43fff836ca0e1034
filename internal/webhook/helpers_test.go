package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/page"
	"github.com/hoist-ota/hoist/internal/project"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"
	"github.com/hoist-ota/hoist/internal/webhook"
)

// clock is a time the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// world is a webhook service on a real store with one owner and project.
type world struct {
	svc     *webhook.Service
	st      *store.Store
	owner   account.Principal
	project project.Project
	clock   *clock
}

const ownerID = "0123456789abcdef0123456789abcdef"

// mustWorld builds the service on st, creating the owner and project
// unless another world on the same database did (pass it as shared).
func mustWorld(tb testing.TB, st *store.Store, opts webhook.Options, shared *world) world {
	tb.Helper()
	ctx := context.Background()
	log := storetest.Logger()
	w := world{st: st, clock: newClock()}
	projects := project.NewService(st.Projects(), time.Now, log)
	if shared != nil {
		w.owner, w.project, w.clock = shared.owner, shared.project, shared.clock
	} else {
		now := time.Now().UTC()
		u := account.User{ID: ownerID, Username: "owner", Role: account.RoleUser, PasswordHash: "x", TokenVersion: 1,
			CreatedTime: now, UpdatedTime: now}
		if err := st.Accounts().CreateUser(ctx, &u, func(int64) error { return nil }); err != nil {
			tb.Fatal(err)
		}
		w.owner = account.Principal{UserID: u.ID, Username: u.Username, Role: u.Role}
		name := "Shop App"
		pr, err := projects.Create(ctx, w.owner, project.Fields{Name: &name})
		if err != nil {
			tb.Fatal(err)
		}
		w.project = pr
	}
	w.svc = webhook.NewService(st.Webhooks(), projects, opts, w.clock.Now, log)
	return w
}

// mustHook creates a webhook of the world's project.
func (w world) mustHook(tb testing.TB, url, secret string, format webhook.Format, events ...string) webhook.Webhook {
	tb.Helper()
	h, err := w.svc.Create(context.Background(), w.owner, w.project.ID,
		webhook.Fields{URL: &url, Secret: &secret, Events: &events, Format: &format})
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// deliveries lists a webhook's deliveries, newest first.
func (w world) deliveries(tb testing.TB, hookID string) []webhook.Delivery {
	tb.Helper()
	ds, _, err := w.svc.Deliveries(context.Background(), w.owner, w.project.ID, hookID, page.Request{Num: 1, Size: 100, Desc: true})
	if err != nil {
		tb.Fatal(err)
	}
	return ds
}

// deliverDue runs one round of the worker and returns how many it tried.
func (w world) deliverDue(tb testing.TB) int {
	tb.Helper()
	n, err := w.svc.DeliverDue(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// received is one request a receiver got.
type received struct {
	Path, Query string
	Header      http.Header
	Body        []byte
}

// receiver is an HTTP endpoint that records what it gets and answers
// with answer (200 "ok" when nil).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(n int, w http.ResponseWriter) // n counts requests from 1
}

func newReceiver(tb testing.TB, answer func(n int, w http.ResponseWriter)) *receiver {
	tb.Helper()
	rc := &receiver{answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: b})
		n := len(rc.got)
		rc.mu.Unlock()
		if rc.answer != nil {
			rc.answer(n, w)
			return
		}
		io.WriteString(w, "ok")
	}))
	tb.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// hmacHex is the signature the contract describes, computed here
// independently of the package.
func hmacHex(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
