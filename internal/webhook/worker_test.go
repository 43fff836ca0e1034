package webhook_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/event"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"
	"github.com/hoist-ota/hoist/internal/webhook"
)

const secret = "s3cret-s3cret-s3cret"

func (w world) emit(tb testing.TB, typ string, data any) {
	tb.Helper()
	if err := w.svc.Emit(context.Background(), event.Event{Type: typ, Project: w.project.ID, Data: data}); err != nil {
		tb.Fatal(err)
	}
}

// TestRetriesBackOffExponentially: failures (a 500 with a long body) are
// retried after 30 s, then 60 s; the success ends it; every attempt is
// recorded with its status, the first KiB of the response and its time.
func TestRetriesBackOffExponentially(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := mustWorld(t, st, webhook.Options{}, nil)
		rc := newReceiver(t, func(n int, rw http.ResponseWriter) {
			if n <= 2 {
				rw.WriteHeader(500)
				io.WriteString(rw, "x"+strings.Repeat("é", 3000)) // the cut at 1 KiB halves an é, which goes
				return
			}
			rw.WriteHeader(204)
		})
		h := w.mustHook(t, rc.URL, secret, webhook.FormatJSON, event.ReleasePublished)
		t0 := w.clock.Now()
		w.emit(t, event.ReleasePublished, map[string]int{"n": 1})
		steps := []struct {
			advance time.Duration
			tried   int
		}{{0, 1}, {29 * time.Second, 0}, {time.Second, 1}, {59 * time.Second, 0}, {time.Second, 1}, {time.Hour, 0}}
		for i, s := range steps {
			w.clock.Advance(s.advance)
			if n := w.deliverDue(t); n != s.tried {
				t.Fatalf("step %d (+%s): attempted %d, want %d", i, s.advance, n, s.tried)
			}
		}
		ds := w.deliveries(t, h.ID)
		if len(ds) != 1 {
			t.Fatalf("%d deliveries", len(ds))
		}
		d := ds[0]
		if d.State != webhook.Succeeded || d.Attempts != 3 || len(d.Tries) != 3 {
			t.Fatalf("delivery %+v", d)
		}
		wantAt := []time.Time{t0, t0.Add(30 * time.Second), t0.Add(90 * time.Second)}
		for i, a := range d.Tries {
			if a.N != i+1 || !a.Time.Equal(wantAt[i]) || a.Duration < 0 {
				t.Errorf("attempt %d: %+v, want at %s", i+1, a, wantAt[i])
			}
		}
		if a := d.Tries[0]; a.StatusCode != 500 || len(a.Response) != webhook.MaxResponse-1 || !strings.HasPrefix(a.Response, "xéé") {
			t.Errorf("first attempt: status %d, %d response bytes", a.StatusCode, len(a.Response))
		}
		if a := d.Tries[2]; a.StatusCode != 204 || a.Error != "" || !d.DoneTime.Equal(t0.Add(90*time.Second)) {
			t.Errorf("last attempt %+v, done %s", a, d.DoneTime)
		}
		// Every attempt of one delivery carries the same id.
		got := rc.requests()
		if len(got) != 3 || got[0].Header.Get("X-Hoist-Delivery") != d.ID || got[2].Header.Get("X-Hoist-Delivery") != d.ID {
			t.Fatalf("requests %d", len(got))
		}
	})
}

// TestGivesUpAfterADay: an endpoint that always fails is tried 30 times
// (30 s, 1, 2, 4, 8, 16, 32 min apart, then hourly) and the delivery is
// failed once the next try would come more than a day after it was
// queued.
func TestGivesUpAfterADay(t *testing.T) {
	st := storetest.MustOpen(t, "sqlite")
	w := mustWorld(t, st, webhook.Options{}, nil)
	rc := newReceiver(t, func(_ int, rw http.ResponseWriter) { rw.WriteHeader(503) })
	h := w.mustHook(t, rc.URL, secret, webhook.FormatJSON, event.ReleasePublished)
	t0 := w.clock.Now()
	w.emit(t, event.ReleasePublished, nil)
	for i := 0; i < 100; i++ {
		w.deliverDue(t)
		d := w.deliveries(t, h.ID)[0]
		if d.State != webhook.Pending {
			break
		}
		w.clock.Advance(d.NextAttemptTime.Sub(w.clock.Now()))
	}
	d := w.deliveries(t, h.ID)[0]
	last := d.Tries[len(d.Tries)-1]
	if d.State != webhook.Failed || d.Attempts != 30 || len(d.Tries) != 30 || last.StatusCode != 503 ||
		!last.Time.Equal(t0.Add(23*time.Hour+3*time.Minute+30*time.Second)) {
		t.Fatalf("state %s after %d attempts, the last %+v", d.State, d.Attempts, last)
	}
	if len(rc.requests()) != 30 {
		t.Fatalf("%d requests", len(rc.requests()))
	}
}

// TestNetworkErrorsRedirectsAndTimeouts are failures, recorded without the
// URL (it may carry a token) and retried.
func TestNetworkErrorsRedirectsAndTimeouts(t *testing.T) {
	st := storetest.MustOpen(t, "sqlite")
	w := mustWorld(t, st, webhook.Options{Timeout: 200 * time.Millisecond}, nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/hook?access_token=TOKEN-123"
	l.Close()
	block := make(chan struct{})
	rc := newReceiver(t, func(_ int, rw http.ResponseWriter) {
		rw.Header().Set("Location", "/elsewhere")
		rw.WriteHeader(302)
	})
	slow := newReceiver(t, func(int, http.ResponseWriter) { <-block })
	t.Cleanup(func() { close(block) }) // before the servers close
	refused := w.mustHook(t, closed, secret, webhook.FormatJSON, event.ReleasePublished)
	redirect := w.mustHook(t, rc.URL+"/hook", secret, webhook.FormatJSON, event.ReleasePublished)
	timeout := w.mustHook(t, slow.URL, secret, webhook.FormatJSON, event.ReleasePublished)
	w.emit(t, event.ReleasePublished, nil)
	if n := w.deliverDue(t); n != 3 {
		t.Fatalf("attempted %d", n)
	}
	for _, c := range []struct {
		hook   webhook.Webhook
		status int
		err    string
	}{{refused, 0, "refused"}, {redirect, 302, ""}, {timeout, 0, "timed out after 200ms"}} {
		d := w.deliveries(t, c.hook.ID)[0]
		a := d.Tries[0]
		if d.State != webhook.Pending || !d.NextAttemptTime.Equal(w.clock.Now().Add(30*time.Second)) || a.StatusCode != c.status ||
			!strings.Contains(a.Error, c.err) || (c.err == "") != (a.Error == "") || strings.Contains(a.Error, "TOKEN-123") {
			t.Errorf("%s: %+v, attempt %+v", c.hook.URL, d, a)
		}
	}
	if got := rc.requests(); len(got) != 1 || got[0].Path != "/hook" {
		t.Fatalf("redirect receiver got %+v", got)
	}
}

// TestTwoNodesDeliverEachOnce: two workers on one database, racing for
// the same queue, send every delivery exactly once.
func TestTwoNodesDeliverEachOnce(t *testing.T) {
	for _, driver := range storetest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			cfg := storetest.DB(t, driver)
			a := mustWorld(t, storetest.Open(t, cfg), webhook.Options{Concurrency: 3}, nil)
			b := mustWorld(t, storetest.Open(t, cfg), webhook.Options{Concurrency: 3}, &a)
			rc := newReceiver(t, nil)
			a.mustHook(t, rc.URL+"/1", secret, webhook.FormatJSON, event.ReleasePublished)
			a.mustHook(t, rc.URL+"/2", secret, webhook.FormatSlack, event.ReleasePublished)
			const events = 30
			for i := range events {
				a.emit(t, event.ReleasePublished, map[string]int{"i": i})
			}
			var wg sync.WaitGroup
			tried := make([]int, 2)
			for i, node := range []world{a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 50 {
						n, err := node.svc.DeliverDue(context.Background())
						if err != nil {
							t.Error(err)
							return
						}
						tried[i] += n
					}
				}()
			}
			wg.Wait()
			seen := map[string]int{}
			for _, r := range rc.requests() {
				seen[r.Header.Get("X-Hoist-Delivery")]++
			}
			if len(seen) != 2*events || tried[0]+tried[1] != 2*events {
				t.Fatalf("%d distinct deliveries received, %d+%d attempted; want %d", len(seen), tried[0], tried[1], 2*events)
			}
			for id, n := range seen {
				if n != 1 {
					t.Errorf("delivery %s received %d times", id, n)
				}
			}
		})
	}
}

// TestLeaseOfADeadNode: a node that claimed a delivery and died holds it
// for the lease; then another node sends it.
func TestLeaseOfADeadNode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := mustWorld(t, st, webhook.Options{Lease: time.Minute}, nil)
		rc := newReceiver(t, nil)
		h := w.mustHook(t, rc.URL, secret, webhook.FormatJSON, event.ReleasePublished)
		w.emit(t, event.ReleasePublished, nil)
		due, err := st.Webhooks().Due(context.Background(), w.clock.Now(), 10)
		if err != nil || len(due) != 1 {
			t.Fatalf("due %v, %v", due, err)
		}
		now := w.clock.Now()
		if _, err := st.Webhooks().Claim(context.Background(), due[0], now, now.Add(time.Minute), "dead-node"); err != nil {
			t.Fatal(err)
		}
		if n := w.deliverDue(t); n != 0 {
			t.Fatalf("sent a leased delivery (%d)", n)
		}
		w.clock.Advance(time.Minute)
		if n := w.deliverDue(t); n != 1 || len(rc.requests()) != 1 {
			t.Fatalf("after the lease: attempted %d, received %d", n, len(rc.requests()))
		}
		if d := w.deliveries(t, h.ID)[0]; d.State != webhook.Succeeded || d.Attempts != 1 {
			t.Fatalf("delivery %+v", d)
		}
		// The dead node's late outcome does not count.
		err = st.Webhooks().Finish(context.Background(), webhook.Delivery{ID: due[0], State: webhook.Failed, Attempts: 1},
			"dead-node", webhook.Attempt{N: 1, Time: now})
		if err == nil {
			t.Fatal("a lost lease finished the delivery")
		}
	})
}

// TestStoppedMidSendGivesTheLeaseBack: a worker stopped while sending
// records nothing and leaves the delivery due at once.
func TestStoppedMidSendGivesTheLeaseBack(t *testing.T) {
	st := storetest.MustOpen(t, "sqlite")
	w := mustWorld(t, st, webhook.Options{}, nil)
	entered, block := make(chan struct{}), make(chan struct{})
	rc := newReceiver(t, func(n int, rw http.ResponseWriter) {
		if n == 1 {
			close(entered)
			<-block
		}
	})
	t.Cleanup(func() { close(block) })
	h := w.mustHook(t, rc.URL, secret, webhook.FormatJSON, event.ReleasePublished)
	w.emit(t, event.ReleasePublished, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		n, _ := w.svc.DeliverDue(ctx)
		done <- n
	}()
	<-entered
	cancel()
	if n := <-done; n != 0 {
		t.Fatalf("a stopped send counted as %d attempts", n)
	}
	if n := w.deliverDue(t); n != 1 { // same clock: the lease was given back
		t.Fatalf("attempted %d after the restart", n)
	}
	if d := w.deliveries(t, h.ID)[0]; d.State != webhook.Succeeded || d.Attempts != 1 || len(d.Tries) != 1 {
		t.Fatalf("delivery %+v", d)
	}
}

// TestDisabledWebhooksGetNothing: no delivery is queued for a disabled
// webhook, and one queued before it was disabled fails unsent.
func TestDisabledWebhooksGetNothing(t *testing.T) {
	st := storetest.MustOpen(t, "sqlite")
	w := mustWorld(t, st, webhook.Options{}, nil)
	rc := newReceiver(t, nil)
	h := w.mustHook(t, rc.URL, secret, webhook.FormatJSON, event.ReleasePublished)
	w.emit(t, event.ReleasePublished, nil)
	off := false
	if _, err := w.svc.Update(context.Background(), w.owner, w.project.ID, h.ID, webhook.Fields{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	w.emit(t, event.ReleasePublished, nil)
	if n := w.deliverDue(t); n != 1 {
		t.Fatalf("attempted %d", n)
	}
	ds := w.deliveries(t, h.ID)
	if len(ds) != 1 || ds[0].State != webhook.Failed || ds[0].Tries[0].Error == "" || len(rc.requests()) != 0 {
		t.Fatalf("deliveries %+v, %d requests", ds, len(rc.requests()))
	}
	if _, err := w.svc.Test(context.Background(), w.owner, w.project.ID, h.ID); err == nil {
		t.Fatal("tested a disabled webhook")
	}
}

// TestSweepDeletesOldFinalDeliveries keeps pending ones and recent ones.
func TestSweepDeletesOldFinalDeliveries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := mustWorld(t, st, webhook.Options{}, nil)
		rc := newReceiver(t, func(n int, rw http.ResponseWriter) {
			if n > 1 {
				rw.WriteHeader(500)
			}
		})
		h := w.mustHook(t, rc.URL, secret, webhook.FormatJSON, event.ReleasePublished)
		w.emit(t, event.ReleasePublished, nil)
		w.deliverDue(t) // succeeded
		w.clock.Advance(time.Hour)
		w.emit(t, event.ReleasePublished, nil)
		w.deliverDue(t) // pending
		n, err := st.Webhooks().SweepDeliveries(context.Background(), w.clock.Now())
		if err != nil || n != 1 {
			t.Fatalf("swept %d, %v", n, err)
		}
		if ds := w.deliveries(t, h.ID); len(ds) != 1 || ds[0].State != webhook.Pending {
			t.Fatalf("left %+v", ds)
		}
	})
}

func ExampleSignature() {
	fmt.Println(webhook.Signature("secret", "1700000000", []byte(`{"event":"webhook.test"}`)))
	// Output: sha256=042f3b47c22ad43f11b4eba519f00f6117768eb96f279f564687920ae2fd1e14
}
