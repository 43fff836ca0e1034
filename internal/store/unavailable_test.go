package store_test

import (
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/ota"
	"github.com/hoist-ota/hoist/internal/page"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"
)

// cutProxy forwards TCP to target until cut: then every connection drops
// and new ones are refused, as when the database server goes away.
type cutProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func mustCutProxy(t *testing.T, target string) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln}
	go func() {
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
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			go func() { io.Copy(u, c); u.Close() }()
			go func() { io.Copy(c, u); c.Close() }()
		}
	}()
	t.Cleanup(p.cut)
	return p
}

func (p *cutProxy) cut() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}

// When the database cannot be reached, reads, writes and transactions fail
// with apperr Unavailable (a 503 for API callers), not an unknown error.
func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	db := storetest.DB(t, config.DriverMySQL)
	cfg, err := mysql.ParseDSN(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	{ // migrate directly
		s := storetest.Open(t, db)
		s.Close()
	}
	p := mustCutProxy(t, cfg.Addr)
	cfg.Addr = p.ln.Addr().String()
	cfg.Timeout = 2 * time.Second
	db.DSN = cfg.FormatDSN()
	ctx := context.Background()
	s, err := store.Open(ctx, db, storetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.OTA().ListCampaigns(ctx, ota.CampaignFilter{}, page.Request{Num: 1, Size: 10}); err != nil {
		t.Fatal(err)
	}
	p.cut()
	checks := map[string]func() error{
		"read": func() error {
			_, _, err := s.OTA().ListCampaigns(ctx, ota.CampaignFilter{}, page.Request{Num: 1, Size: 10})
			return err
		},
		"transaction": func() error {
			return s.OTA().Ingest(ctx, func(tx ota.IngestTx) error {
				_, err := tx.MarkNew(ctx, []ota.MessageKey{{Product: "p", Device: "d", MessageID: "m"}}, []ota.MessageKind{ota.KindStatus}, time.Now())
				return err
			})
		},
		"ping": func() error { return s.Ping(ctx) },
	}
	for name, check := range checks {
		if err := check(); !apperr.Is(err, apperr.Unavailable) {
			t.Errorf("%s with the database gone: %v (want Unavailable)", name, err)
		}
	}
}
