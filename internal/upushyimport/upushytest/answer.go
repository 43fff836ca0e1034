package upushytest

import (
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"testing"
)

// Row is an app_source row as upushy 0.6's update check sees it.
type Row struct {
	ID, ProjectID                  string
	Type, Status, UpdateType       int
	VersionCode, NativeVersionCode int64
	URL                            string
}

// Offer is one resource of an update-check answer: what the client uses.
type Offer struct {
	ID                             string
	VersionCode, NativeVersionCode int64
	UpdateType                     int
	URL                            string
}

// Rows reads app_source of the upushy database at dsn in primary-key
// order, the order in which MySQL's table scan returns them to upushy.
func Rows(tb testing.TB, dsn string) []Row {
	tb.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	rs, err := db.Query("SELECT id, project_id, type, status, update_type, version_code, native_version_code, url FROM app_source ORDER BY id")
	if err != nil {
		tb.Fatal(err)
	}
	defer rs.Close()
	var out []Row
	for rs.Next() {
		var r Row
		if err := rs.Scan(&r.ID, &r.ProjectID, &r.Type, &r.Status, &r.UpdateType, &r.VersionCode, &r.NativeVersionCode, &r.URL); err != nil {
			tb.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// UpushyAnswer is what upushy 0.6's POST /api/basic/update answered for a
// project and platform, computed from its rows by its rules: for each of
// the wgt type (1 android, 2 ios) and the native type (+2), the highest
// versionCode among enabled rows, then the first row (primary-key order,
// status not checked) of the project and type with that versionCode; the
// url is base + "/" + the stored key, except for type 4. The device's
// versions play no part on upushy's side.
func UpushyAnswer(rows []Row, base, projectID, platform string) (wgt, native *Offer) {
	typ := 1
	if platform != "android" {
		typ = 2
	}
	pick := func(t int) *Offer {
		var max int64 = -1
		for _, r := range rows {
			if r.ProjectID == projectID && r.Type == t && r.Status == 1 && r.VersionCode > max {
				max = r.VersionCode
			}
		}
		i := slices.IndexFunc(rows, func(r Row) bool { return r.ProjectID == projectID && r.Type == t && r.VersionCode == max })
		if max < 0 || i < 0 {
			return nil
		}
		r := rows[i]
		u := r.URL
		if r.Type != 4 {
			u = base + "/" + r.URL
		}
		return &Offer{ID: r.ID, VersionCode: r.VersionCode, NativeVersionCode: r.NativeVersionCode, UpdateType: r.UpdateType, URL: u}
	}
	return pick(typ), pick(typ + 2)
}

// ClientAction is what the stock uni-app client does with an answer
// (PROTOCOLS §2): a newer native build first, else a wgt built for the
// device's native version and newer than its wgt, else nothing. The URL is
// given as the client requests it (a raw space is sent as %20).
func ClientAction(wgt, native *Offer, deviceNative, deviceWgt int64) string {
	switch {
	case native != nil && native.VersionCode > deviceNative:
		return fmt.Sprintf("native %s (%d, updateType %d) from %s", native.ID, native.VersionCode, native.UpdateType, requested(native.URL))
	case wgt != nil && wgt.NativeVersionCode == deviceNative && wgt.VersionCode > deviceWgt:
		return fmt.Sprintf("wgt %s (%d, updateType %d) from %s", wgt.ID, wgt.VersionCode, wgt.UpdateType, requested(wgt.URL))
	}
	return "nothing"
}

func requested(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "unparsable " + raw
	}
	return u.String()
}

// DeviceStates lists the (native, wgt) version codes worth asking about
// for a project and platform: none installed, and every code its rows
// name, in every combination.
func DeviceStates(rows []Row, projectID, platform string) [][2]int64 {
	typ := 1
	if platform != "android" {
		typ = 2
	}
	natives, wgts := []int64{0}, []int64{0}
	for _, r := range rows {
		switch {
		case r.ProjectID != projectID:
		case r.Type == typ:
			natives, wgts = append(natives, r.NativeVersionCode), append(wgts, r.VersionCode)
		case r.Type == typ+2:
			natives = append(natives, r.VersionCode)
		}
	}
	slices.Sort(natives)
	slices.Sort(wgts)
	natives, wgts = slices.Compact(natives), slices.Compact(wgts)
	var out [][2]int64
	for _, n := range natives {
		for _, w := range wgts {
			out = append(out, [2]int64{n, w})
		}
	}
	return out
}
