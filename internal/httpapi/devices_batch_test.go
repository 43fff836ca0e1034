package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/device"
)

// batchJSON builds the JSON body of a batch of devices named prefix0..n-1.
func batchJSON(prefix string, n int, tags ...string) map[string]any {
	ds := make([]map[string]any, n)
	for i := range ds {
		ds[i] = map[string]any{"name": fmt.Sprintf("%s%d", prefix, i), "tags": tags}
	}
	return map[string]any{"devices": ds}
}

func TestDeviceBatch(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		fx := newDeviceFixture(t, ts)
		tok := fx.maintainer.AccessToken
		var out deviceBatchView
		ts.mustOK(t, 201, "POST", "/api/v1/products/thermo/devices:batch", tok, batchJSON("j", 3, "east"), &out)
		if out.Count != 3 || len(out.Devices) != 3 || out.Devices[2].Name != "j2" || fmt.Sprint(out.Devices[0].Tags) != "[east]" ||
			!strings.HasPrefix(out.Devices[1].Secret, device.SecretPrefix) || out.Devices[1].MQTT.Username != "thermo/j1" {
			t.Fatalf("json batch %+v", out)
		}
		if _, err := ts.devices.VerifySecret(context.Background(), "thermo", "j2", out.Devices[2].Secret); err != nil {
			t.Fatal(err)
		}
		ts.mustOK(t, 201, "POST", "/api/v1/products/thermo/devices/batch", tok, batchJSON("k", 2), &out)

		csv := "name,tags\nc1,a;b\nc2,b|c\n c3 ,\n"
		rec, env := ts.do(t, "POST", "/api/v1/products/thermo/devices:batch", strings.NewReader(csv),
			"Content-Type", "text/csv; charset=utf-8", "Authorization", "Bearer "+tok)
		if rec.Code != 201 || json.Unmarshal(env.Data, &out) != nil || out.Count != 3 || fmt.Sprint(out.Devices[1].Tags) != "[b c]" ||
			out.Devices[2].Name != "c3" || len(out.Devices[2].Tags) != 0 {
			t.Fatalf("csv batch: %d %s", rec.Code, rec.Body)
		}
		if total, _ := ts.mustDevices(t, tok, "/api/v1/products/thermo/devices?tag=b"); total != 2 {
			t.Fatalf("csv tags: %d", total)
		}
		rec, env = ts.do(t, "POST", "/api/v1/products/thermo/devices:batch", strings.NewReader("h1,x;y\n\nh2\n"),
			"Content-Type", "text/csv; header=absent", "Authorization", "Bearer "+tok)
		if rec.Code != 201 || json.Unmarshal(env.Data, &out) != nil || out.Count != 2 || out.Devices[0].Name != "h1" ||
			fmt.Sprint(out.Devices[0].Tags) != "[x y]" || out.Devices[1].Name != "h2" {
			t.Fatalf("csv batch without header: %d %s", rec.Code, rec.Body)
		}

		// Refused batches create nothing.
		refused := []struct {
			name, ctype, body string
			status            int
			code              apperr.Code
			mention           string
		}{
			{"repeated in batch", "application/json", `{"devices":[{"name":"n1"},{"name":"n2"},{"name":"n1"}]}`, 409, apperr.Conflict, "n1"},
			{"already exist", "application/json", `{"devices":[{"name":"n1"},{"name":"j1"},{"name":"c2"}]}`, 409, apperr.Conflict, "j1, c2"},
			{"csv repeats", "text/csv", "name\nn1\nn1\n", 409, apperr.Conflict, "n1"},
			{"invalid name", "application/json", `{"devices":[{"name":"n1"},{"name":"a/b"}]}`, 400, apperr.Invalid, "devices[1].name"},
			{"invalid tag", "text/csv", "name,tags\nn1,ok;a+b\n", 400, apperr.Invalid, `"field":"lines[2].tags"`},
			{"invalid name without header", "text/csv; header=absent", "n1\n\nn 3,x\n", 400, apperr.Invalid, `"field":"lines[3].name"`},
			{"empty", "application/json", `{"devices":[]}`, 400, apperr.Invalid, "devices"},
			{"no devices key", "application/json", `{}`, 400, apperr.Invalid, "devices"},
			{"malformed JSON", "application/json", `{"devices":[{"name":"n1"}`, 400, apperr.Invalid, "malformed JSON"},
			{"wrong JSON type", "application/json", `{"devices":{"name":"n1"}}`, 400, apperr.Invalid, "devices"},
			{"malformed CSV", "text/csv", "name,tags\nn1,\"a\n", 400, apperr.Invalid, "malformed CSV"},
			{"CSV without header", "text/csv", "n1,a\n", 400, apperr.Invalid, "unknown"},
			{"too many cells without header", "text/csv; header=absent", "n1,a,b\n", 400, apperr.Invalid, "line 1 has 3 cells"},
			{"empty CSV", "text/csv", "", 400, apperr.Invalid, "empty"},
			{"other type", "application/xml", `<devices/>`, 400, apperr.Invalid, "Content-Type"},
		}
		for _, c := range refused {
			rec, env := ts.do(t, "POST", "/api/v1/products/thermo/devices:batch", strings.NewReader(c.body),
				"Content-Type", c.ctype, "Authorization", "Bearer "+tok)
			if rec.Code != c.status || env.Code != string(c.code) || !strings.Contains(rec.Body.String(), c.mention) {
				t.Errorf("%s: %d %s", c.name, rec.Code, rec.Body)
			}
		}
		if total, _ := ts.mustDevices(t, tok, "/api/v1/products/thermo/devices"); total != 10 {
			t.Fatalf("refused batches created devices: %d", total)
		}
		if total, _ := ts.mustDevices(t, tok, "/api/v1/products/thermo/devices?search=n"); total != 0 {
			t.Fatalf("n devices created: %d", total)
		}

		// More than MaxBatch is 413, before anything is looked up.
		rec, env = ts.call(t, "POST", "/api/v1/products/thermo/devices:batch", tok, batchJSON("x", device.MaxBatch+1))
		mustErrorEnvelope(t, rec, env, 413, apperr.TooLarge)
		var big strings.Builder
		big.WriteString("name\n")
		for i := range device.MaxBatch + 1 {
			fmt.Fprintf(&big, "x%d\n", i)
		}
		rec, env = ts.do(t, "POST", "/api/v1/products/thermo/devices/batch", strings.NewReader(big.String()),
			"Content-Type", "text/csv", "Authorization", "Bearer "+tok)
		mustErrorEnvelope(t, rec, env, 413, apperr.TooLarge)
		rec, env = ts.do(t, "POST", "/api/v1/products/thermo/devices/batch", bytes.NewReader(make([]byte, maxBatchBodyBytes+1)),
			"Content-Type", "text/csv", "Authorization", "Bearer "+tok)
		mustErrorEnvelope(t, rec, env, 413, apperr.TooLarge)
	})
}

// A CSV batch's errors name each line and column once, in the panel's
// language.
func TestDeviceBatchCSVErrorsNameLines(t *testing.T) {
	ts := mustServer(t, nil)
	fx := newDeviceFixture(t, ts)
	csv := "ok-1,a\nbad/2\n\nok-3,b+c;d\n"
	rec, env := ts.do(t, "POST", "/api/v1/products/thermo/devices:batch", strings.NewReader(csv),
		"Content-Type", "text/csv; header=absent", "Authorization", "Bearer "+fx.maintainer.AccessToken, "Accept-Language", "zh-CN")
	mustErrorEnvelope(t, rec, env, 400, apperr.Invalid)
	want := []apperr.FieldError{
		{Field: "lines[2].name", Message: "必须是 1 到 64 个 A-Z a-z 0-9 _ . - 字符（不能有 / + # $ 或空格）"},
		{Field: "lines[4].tags", Message: `每个标签必须是 1 到 64 个 A-Z a-z 0-9 _ . - 字符（不能有 / + # $ 或空格）；"b+c" 不是`},
	}
	if fmt.Sprint(env.Errors) != fmt.Sprint(want) {
		t.Fatalf("errors %+v, want %+v", env.Errors, want)
	}
	if total, _ := ts.mustDevices(t, fx.maintainer.AccessToken, "/api/v1/products/thermo/devices"); total != 0 {
		t.Fatalf("a refused batch created %d devices", total)
	}
}

// The largest batch on SQLite, the embedded default. Its duration is
// logged, not asserted (machines differ); the count is.
func TestDeviceBatchOf10000(t *testing.T) {
	ts := mustServerOn(t, config.DriverSQLite, nil)
	fx := newDeviceFixture(t, ts)
	body, err := json.Marshal(batchJSON("dev-", device.MaxBatch, "batch-1"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rec, env := ts.do(t, "POST", "/api/v1/products/thermo/devices:batch", bytes.NewReader(body),
		"Content-Type", "application/json", "Authorization", "Bearer "+fx.maintainer.AccessToken)
	took := time.Since(start)
	var out deviceBatchView
	if rec.Code != 201 || json.Unmarshal(env.Data, &out) != nil || out.Count != device.MaxBatch || len(out.Devices) != device.MaxBatch {
		t.Fatalf("batch: %d %.300s", rec.Code, rec.Body)
	}
	t.Logf("created %d devices in one batch in %v (%d-byte request, %d-byte response)", out.Count, took, len(body), rec.Body.Len())
	secrets := make(map[string]bool, len(out.Devices))
	for _, d := range out.Devices {
		secrets[d.Secret] = true
	}
	if len(secrets) != device.MaxBatch {
		t.Fatalf("%d distinct secrets", len(secrets))
	}
	if total, _ := ts.mustDevices(t, fx.viewer.AccessToken, "/api/v1/products/thermo/devices?tag=batch-1&pageSize=1"); total != device.MaxBatch {
		t.Fatalf("listed %d", total)
	}
	var p productView
	ts.mustOK(t, 200, "GET", "/api/v1/products/thermo", fx.viewer.AccessToken, nil, &p)
	if p.DeviceCount != device.MaxBatch {
		t.Fatalf("product counts %d", p.DeviceCount)
	}
	if _, err := ts.devices.VerifySecret(context.Background(), "thermo", "dev-9999", out.Devices[9999].Secret); err != nil {
		t.Fatal(err)
	}
}
