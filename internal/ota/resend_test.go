package ota_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hoist-ota/hoist/internal/ota"
	"github.com/hoist-ota/hoist/internal/store/storetest"
)

// A device that was offline when a campaign was published gets its
// ota_upgrade command once it subscribes, on its own command topic, until
// it acts on it; cancelled campaigns are not sent again.
func TestResendPendingToLateDevices(t *testing.T) {
	for _, d := range storetest.Drivers() {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			w := mustWorld(t, storetest.MustOpen(t, d), ota.Options{})
			w.mustTagged(t, 3, "beta")
			c := w.mustTagCampaign(t, "beta")
			if got := w.pub.take(); len(got) != 1 || got[0].To != (ota.Address{Product: "thermo", Tag: "beta"}) ||
				got[0].Command != ota.CommandUpgrade || got[0].RequestID != c.RequestID {
				t.Fatalf("campaign published %v", got)
			}

			n, err := w.svc.ResendPending(ctx, "thermo", "d00001")
			got := w.pub.take()
			if err != nil || n != 1 || len(got) != 1 || got[0].To != (ota.Address{Product: "thermo", Device: "d00001"}) ||
				got[0].Command != ota.CommandUpgrade || got[0].Encoding != ota.EncodingPlain || got[0].RequestID != c.RequestID ||
				!got[0].ExpiresAt.Equal(c.ExpiresAt) || !strings.Contains(string(got[0].Payload), c.RequestID) {
				t.Fatalf("resend: %d %v %v", n, got, err)
			}
			// Once the device acted on it, nothing is sent again.
			if err := w.svc.HandleProgress(ctx, "thermo", "d00001", "m1", []byte(`{"requestId":"`+c.RequestID+`","state":"accepted"}`), c.CreatedTime); err != nil {
				t.Fatal(err)
			}
			if n, _ := w.svc.ResendPending(ctx, "thermo", "d00001"); n != 0 {
				t.Fatalf("resent after the device acted: %d", n)
			}
			if _, err := w.svc.CancelCampaign(ctx, w.owner, c.ID); err != nil {
				t.Fatal(err)
			}
			if n, _ := w.svc.ResendPending(ctx, "thermo", "d00002"); n != 0 {
				t.Fatalf("resent a cancelled campaign: %d", n)
			}
			if n, _ := w.svc.ResendPending(ctx, "thermo", "unknown"); n != 0 {
				t.Fatal("resent to a device outside the campaign")
			}
		})
	}
}
