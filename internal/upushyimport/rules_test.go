package upushyimport

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-ota/hoist/internal/account"
)

func TestHoistUsername(t *testing.T) {
	const id = "c83ba5ec5150e2d56f38bb205b1d673f"
	for _, c := range []struct{ in, want string }{
		{"alice", "alice"},
		{"李雷", "upushy-c83ba5ec"},
		{"dave smith", "dave_smith"},
		{" 张三 zhang@corp ", "zhang_corp"},
		{"ab", "upushy-ab-c83ba5ec"},
		{"x", "upushy-x-c83ba5ec"},
		{"王_wang", "_wang"},
	} {
		got := hoistUsername(c.in, id)
		if got != c.want || account.ValidateUsername(got) != nil {
			t.Errorf("%q: %q (%v), want %q", c.in, got, account.ValidateUsername(got), c.want)
		}
	}
	if got := withIDSuffix("alice", id); got != "alice-c83ba5ec" {
		t.Errorf("suffix: %q", got)
	}
}

func TestKeyURL(t *testing.T) {
	for _, c := range []struct{ key, want string }{
		{"2021-02/2021-02-28 16:46:64.1614502019649.__UNI__B843CC0.wgt", "https://b.oss-cn-hangzhou.aliyuncs.com/2021-02/2021-02-28%2016:46:64.1614502019649.__UNI__B843CC0.wgt"},
		{"/upload/a b#c?.apk", "https://b.oss-cn-hangzhou.aliyuncs.com/upload/a%20b%23c%3F.apk"},
		{"2021-2-7/100%.apk", "https://b.oss-cn-hangzhou.aliyuncs.com/2021-2-7/100%25.apk"},
	} {
		if got := keyURL("https://b.oss-cn-hangzhou.aliyuncs.com/", c.key); got != c.want {
			t.Errorf("%q: %q, want %q", c.key, got, c.want)
		}
	}
}

func TestOSSBase(t *testing.T) {
	for _, ep := range []string{"oss-cn-hangzhou", "oss-cn-hangzhou.aliyuncs.com", "https://oss-cn-hangzhou.aliyuncs.com/"} {
		if got, err := OSSBase("uni-pushy", ep); err != nil || got != "https://uni-pushy.oss-cn-hangzhou.aliyuncs.com" {
			t.Errorf("%q: %q %v", ep, got, err)
		}
	}
	for _, c := range [][2]string{{"", "oss-cn-hangzhou"}, {"uni-pushy", ""}, {"a/b", "oss-cn-hangzhou"}} {
		if _, err := OSSBase(c[0], c[1]); err == nil {
			t.Errorf("%q accepted", c)
		}
	}
}

// env.example.yaml of upushy quotes the port; its README does not.
func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	for name, port := range map[string]string{"quoted": "'3307'", "bare": "3307"} {
		p := filepath.Join(dir, name+".yaml")
		os.WriteFile(p, []byte("WEB_OSS: false\nALIYUN_OSS_ENDPOINT: 'oss-cn-shanghai'\nALIYUN_OSS_BUCKET: 'upushy'\n"+
			"DB_HOST: '10.0.0.5'\nDB_PORT: "+port+"\nDB_USER: 'upushy'\nDB_PASSWORD: 'p@ss:w/rd'\nDB_DATABASE: 'upushy'\n"), 0o600)
		c, err := LoadConfig(p)
		if err != nil || c.DSN != "upushy:p@ss:w/rd@tcp(10.0.0.5:3307)/upushy" || c.OSSBucket != "upushy" || c.OSSEndpoint != "oss-cn-shanghai" {
			t.Errorf("%s: %+v %v", name, c, err)
		}
	}
	p := filepath.Join(dir, "other.yaml")
	os.WriteFile(p, []byte("http:\n  addr: ':3000'\n"), 0o600)
	if _, err := LoadConfig(p); err == nil {
		t.Error("a file without DB_HOST accepted")
	}
}

// Of two rows sharing a versionCode, the enabled one wins, then the
// smaller id (the row upushy's findOne returned).
func TestServedDuplicate(t *testing.T) {
	a := Source{ID: "0000000000000000000000000000000a", ProjectID: "p", Type: 1, VersionCode: 5, Status: 0}
	b := Source{ID: "0000000000000000000000000000000b", ProjectID: "p", Type: 1, VersionCode: 5, Status: 1}
	c := Source{ID: "0000000000000000000000000000000c", ProjectID: "p", Type: 1, VersionCode: 5, Status: 1}
	got := served([]Source{c, a, b})
	if got[codeKey{"p", 1, 5}] != b.ID {
		t.Fatalf("kept %v", got)
	}
	got = served([]Source{c, a})
	if got[codeKey{"p", 1, 5}] != c.ID {
		t.Fatalf("kept %v", got)
	}
}

// A report too long to keep whole keeps its totals and what has something
// to say.
func TestStoredReportStaysSmall(t *testing.T) {
	var r Report
	for i := 0; i < 2000; i++ {
		r.add(Entry{Kind: KindResource, ID: fmt.Sprintf("%032x", i), Name: "wgt-android 1.0 of a project", Outcome: Imported})
	}
	r.add(Entry{Kind: KindUser, ID: "u", Name: "李雷", Outcome: Imported, NewName: "upushy-c83ba5ec", Reason: "renamed"})
	r.add(Entry{Kind: KindResource, ID: "d", Outcome: Skipped, Reason: "duplicate"})
	b, err := r.Stored(1 << 20)
	if err != nil || strings.Contains(string(b), `"entriesOmitted"`) {
		t.Fatalf("%v %.200s", err, b)
	}
	var whole Report
	json.Unmarshal(b, &whole)
	if len(whole.Entries) != 2002 || whole.EntriesOmitted != 0 || whole.Totals[2].Imported != 2000 || whole.Totals[2].Skipped != 1 {
		t.Fatalf("under the limit: %d entries, %d omitted, %+v", len(whole.Entries), whole.EntriesOmitted, whole.Totals)
	}
	b, _ = r.Stored(4 << 10)
	var small Report
	if err := json.Unmarshal(b, &small); err != nil || len(b) > 4<<10 {
		t.Fatalf("%d bytes: %v", len(b), err)
	}
	if len(small.Entries) != 2 || small.EntriesOmitted != 2000 || small.Totals[2].Imported != 2000 || small.Totals[0].Imported != 1 {
		t.Fatalf("over the limit: %d entries, %d omitted, %+v", len(small.Entries), small.EntriesOmitted, small.Totals)
	}
}
