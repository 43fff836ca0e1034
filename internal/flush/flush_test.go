package flush

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
)

func TestEveryFlushesOnTheTickAndOnceMoreAtTheEnd(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ticked := make(chan struct{})
	n := 0
	done := make(chan error)
	go func() {
		done <- Every(ctx, time.Millisecond, func(fctx context.Context) error {
			n++
			if n == 1 {
				close(ticked)
				return errors.New("database down") // logged, not fatal
			}
			if fctx.Err() != nil {
				return errors.New("final flush got a cancelled context")
			}
			if ctx.Err() != nil {
				return errors.New("final")
			}
			return nil
		}, slog.New(slog.DiscardHandler), "counts")
	}()
	<-ticked
	cancel()
	if err := <-done; err == nil || err.Error() != "final" {
		t.Fatalf("Every returned %v, want the final flush's error", err)
	}
}
