package main

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/hoist-ota/hoist/internal/store/storetest"
)

// Every node (and every restart) must hash device secrets with the same
// key, whoever creates it first.
func TestDeviceSecretKeyIsSharedAndStable(t *testing.T) {
	for _, d := range storetest.Drivers() {
		t.Run(d, func(t *testing.T) {
			st := storetest.MustOpen(t, d)
			var wg sync.WaitGroup
			keys := make([][]byte, 6)
			for i := range keys {
				wg.Add(1)
				go func() {
					defer wg.Done()
					k, err := deviceSecretKey(context.Background(), st)
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
			again, _ := deviceSecretKey(context.Background(), st)
			if !bytes.Equal(again, keys[0]) {
				t.Fatal("key changed on restart")
			}
		})
	}
}
