package device_test

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/device"
	"github.com/hoist-ota/hoist/internal/store/storetest"
)

// Every node (and every restart) must hash device secrets with the same
// key, whoever creates it first.
func TestSecretKeyIsSharedAndStable(t *testing.T) {
	for _, d := range storetest.Drivers() {
		t.Run(d, func(t *testing.T) {
			st := storetest.MustOpen(t, d)
			var wg sync.WaitGroup
			keys := make([][]byte, 6)
			for i := range keys {
				wg.Add(1)
				go func() {
					defer wg.Done()
					k, err := device.SecretKey(context.Background(), st)
					if err != nil {
						t.Error(err)
					}
					keys[i] = k
				}()
			}
			wg.Wait()
			for _, k := range keys {
				if len(k) != 32 || !bytes.Equal(k, keys[0]) {
					t.Fatalf("keys differ: %x vs %x", k, keys[0])
				}
			}
			again, _ := device.SecretKey(context.Background(), st)
			if !bytes.Equal(again, keys[0]) {
				t.Fatal("key changed on restart")
			}
		})
	}
}

// A damaged stored key is refused rather than replaced: replacing it
// would lock every device out.
func TestSecretKeyRefusesABadStoredKey(t *testing.T) {
	st := storetest.MustOpen(t, config.DriverSQLite)
	if err := st.PutSetting(context.Background(), device.SettingSecretKey, "not hex"); err != nil {
		t.Fatal(err)
	}
	if _, err := device.SecretKey(context.Background(), st); err == nil {
		t.Fatal("a bad stored key was accepted")
	}
}
