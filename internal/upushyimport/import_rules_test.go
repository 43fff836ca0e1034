package upushyimport_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"
	"github.com/hoist-ota/hoist/internal/upushyimport"
)

const (
	hashAlice = "$argon2i$v=19$m=4096,t=3,p=1$dXB1c2h5LXNhbHQtMDAwMQ$DiFtWH+3VNYefzl2L+B1fM4J6pru+6K0k5zSrcmF/tY"
	userA     = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	projP     = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

func src(id string, typ int, code int64, url string) upushyimport.Source {
	return upushyimport.Source{ID: id, ProjectID: projP, Version: "1.0", VersionCode: code, URL: url, UpdateType: 1, Type: typ, Status: 1,
		CreatedTime: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// Rows as older upushy releases could leave them: absolute URLs, a few
// keys without a base (skipped, not a stop, as they are not most), App
// Store links of any scheme, and ids Hoist cannot keep.
func TestImportURLRules(t *testing.T) {
	d := upushyimport.Data{
		Users:    []upushyimport.User{{ID: userA, Username: "alice", Password: hashAlice}},
		Projects: []upushyimport.Project{{ID: projP, UserID: userA, Name: "P"}, {ID: "2b1d54c3-6c1e-4a4e-9a49-5f0b7c2d8e11", UserID: userA, Name: "dashed"}},
		Sources: []upushyimport.Source{
			src("10000000000000000000000000000001", 3, 1, "https://cdn.example.com/a b.apk"),
			src("10000000000000000000000000000002", 1, 2, "http://old.example.com/x.wgt"),
			src("10000000000000000000000000000003", 1, 3, "2022-01/key with space.wgt"),
			src("10000000000000000000000000000004", 4, 1, "itms-apps://itunes.apple.com/app/id1"),
			src("10000000000000000000000000000005", 4, 2, "https://apps.apple.com/app/id1"),
			src("10000000000000000000000000000006", 7, 9, "https://example.com/x.bin"),
		},
	}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		rep, err := upushyimport.NewImporter(stores(st), upushyimport.Options{}, now).Import(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		check(t, rep, map[string]want{
			"2b1d54c3-6c1e-4a4e-9a49-5f0b7c2d8e11": {upushyimport.Skipped, "not 32 lowercase hex"},
			"10000000000000000000000000000001":     {upushyimport.Imported, "absolute URL kept as stored"},
			"10000000000000000000000000000003":     {upushyimport.Skipped, "is an OSS object key and no base is known (pass --upushy-config"},
			"10000000000000000000000000000004":     {upushyimport.Imported, ""},
			"10000000000000000000000000000006":     {upushyimport.Skipped, "type 7"},
		})
		for id, u := range map[string]string{
			"10000000000000000000000000000001": "https://cdn.example.com/a%20b.apk",
			"10000000000000000000000000000004": "itms-apps://itunes.apple.com/app/id1",
			"10000000000000000000000000000005": "https://apps.apple.com/app/id1",
		} {
			if r, err := st.Releases().Resource(ctx, id); err != nil || r.URL != u {
				t.Errorf("%s: %q %v", id, r.URL, err)
			}
		}
		// With the base, the key comes in on the next run, escaped.
		rep, err = upushyimport.NewImporter(stores(st), upushyimport.Options{URLBase: "https://cdn.example.com/"}, now).Import(ctx, d)
		if err != nil || rep.Count(upushyimport.KindResource, upushyimport.Imported) != 1 {
			t.Fatalf("%v %+v", err, rep)
		}
		if r, _ := st.Releases().Resource(ctx, "10000000000000000000000000000003"); r.URL != "https://cdn.example.com/2022-01/key%20with%20space.wgt" {
			t.Errorf("key url %q", r.URL)
		}
		if !strings.Contains(rep.URLBase, "cdn.example.com") {
			t.Errorf("report base %q", rep.URLBase)
		}
	})
}
