package kv_test

import (
	"testing"

	"github.com/hoist-ota/hoist/internal/kv"
	"github.com/hoist-ota/hoist/internal/kv/kvtest"
)

func TestMemoryContract(t *testing.T) {
	kvtest.Contract(t, kv.NewMemory(nil))
}
