package release

import (
	"fmt"
	"hash/fnv"
	"slices"
	"testing"
)

// res builds an enabled, fully rolled-out resource.
func res(id string, t Type, versionCode, nativeVersionCode int64) Resource {
	return Resource{
		ID: id, ProjectID: "p1", Channel: DefaultChannel, Type: t, Version: fmt.Sprint(versionCode),
		VersionCode: versionCode, NativeVersionCode: nativeVersionCode,
		Status: StatusEnabled, RolloutPercent: 100, UpdateType: UpdateConsent,
	}
}

func disabled(r Resource) Resource { r.Status = StatusDisabled; return r }

func rollout(r Resource, percent int) Resource { r.RolloutPercent = percent; return r }

// idOf returns the ID of r, "" for nil, so failures print readable answers.
func idOf(r *Resource) string {
	if r == nil {
		return ""
	}
	return r.ID
}

func android(nativeVersionCode int64, uuid string) Query {
	return Query{Platform: PlatformAndroid, NativeVersionCode: nativeVersionCode, HasNativeVersionCode: true, UUID: uuid}
}

func ios(nativeVersionCode int64, uuid string) Query {
	return Query{Platform: PlatformIOS, NativeVersionCode: nativeVersionCode, HasNativeVersionCode: true, UUID: uuid}
}

// twoNativeLines is an Android project with native builds 100 and 110 and
// wgt built for each, listed out of order as a store might return them.
func twoNativeLines() []Resource {
	return []Resource{
		res("wgt-200-n110", TypeWgtAndroid, 200, 110),
		res("apk-100", TypeAndroid, 100, 0),
		res("wgt-101-n100", TypeWgtAndroid, 101, 100),
		res("apk-110", TypeAndroid, 110, 0),
		res("wgt-102-n100", TypeWgtAndroid, 102, 100),
	}
}

func TestDecide(t *testing.T) {
	lines := twoNativeLines()
	tests := []struct {
		name       string
		resources  []Resource
		query      Query
		wantNative string
		wantWgt    string
	}{
		{
			name:      "device on native 100 gets the wgt built for 100 and the newest native",
			resources: lines, query: android(100, "u1"),
			wantNative: "apk-110", wantWgt: "wgt-102-n100",
		},
		{
			name:      "device on native 110 gets the wgt built for 110",
			resources: lines, query: android(110, "u1"),
			wantNative: "apk-110", wantWgt: "wgt-200-n110",
		},
		{
			name:      "no wgt built for the device's native",
			resources: lines, query: android(90, "u1"),
			wantNative: "apk-110",
		},
		{
			name:      "no native version code gets the highest wgt overall",
			resources: lines, query: Query{Platform: PlatformAndroid, UUID: "u1"},
			wantNative: "apk-110", wantWgt: "wgt-200-n110",
		},
		{
			name: "no native version code skips a disabled highest wgt",
			resources: []Resource{
				disabled(res("wgt-300-n120", TypeWgtAndroid, 300, 120)),
				res("wgt-200-n110", TypeWgtAndroid, 200, 110),
			},
			query:   Query{Platform: PlatformAndroid},
			wantWgt: "wgt-200-n110",
		},
		{
			name: "disabled newest wgt falls back to the previous enabled one",
			resources: []Resource{
				res("wgt-101", TypeWgtAndroid, 101, 100),
				disabled(res("wgt-102", TypeWgtAndroid, 102, 100)),
			},
			query:   android(100, "u1"),
			wantWgt: "wgt-101",
		},
		{
			name: "disabled newest native falls back to the previous enabled one",
			resources: []Resource{
				res("apk-100", TypeAndroid, 100, 0),
				disabled(res("apk-110", TypeAndroid, 110, 0)),
			},
			query:      android(100, "u1"),
			wantNative: "apk-100",
		},
		{
			name: "all disabled",
			resources: []Resource{
				disabled(res("apk-110", TypeAndroid, 110, 0)),
				disabled(res("wgt-101", TypeWgtAndroid, 101, 100)),
			},
			query: android(100, "u1"),
		},
		{name: "empty project", query: android(100, "u1")},
		{
			name: "ios gets only ios resources",
			resources: append(twoNativeLines(),
				res("ipa-105", TypeIOS, 105, 0),
				res("wgt-ios-150-n100", TypeWgtIOS, 150, 100),
			),
			query:      ios(100, "u1"),
			wantNative: "ipa-105", wantWgt: "wgt-ios-150-n100",
		},
		{
			name: "android gets nothing from an ios-only project",
			resources: []Resource{
				res("ipa-105", TypeIOS, 105, 0),
				res("wgt-ios-150-n100", TypeWgtIOS, 150, 100),
			},
			query: android(100, "u1"),
		},
		{
			name: "firmware is never offered",
			resources: []Resource{
				res("fw-900", TypeFirmware, 900, 0),
				res("fw-901-n100", TypeFirmware, 901, 100),
			},
			query: android(100, "u1"),
		},
		{
			name:      "unknown platform gets nothing",
			resources: lines, query: Query{Platform: "harmony", NativeVersionCode: 100, HasNativeVersionCode: true},
		},
		{
			name: "rollout outside 1..100 counts as 100, even without uuid",
			resources: []Resource{
				rollout(res("apk-110", TypeAndroid, 110, 0), 0),
				rollout(res("wgt-103", TypeWgtAndroid, 103, 100), -5),
				rollout(res("wgt-102", TypeWgtAndroid, 102, 100), 150),
			},
			query:      android(100, ""),
			wantNative: "apk-110", wantWgt: "wgt-103",
		},
		{
			name: "empty uuid skips rollouts of native and wgt",
			resources: []Resource{
				rollout(res("apk-110", TypeAndroid, 110, 0), 99),
				res("apk-100", TypeAndroid, 100, 0),
				rollout(res("wgt-102", TypeWgtAndroid, 102, 100), 99),
				res("wgt-101", TypeWgtAndroid, 101, 100),
			},
			query:      android(100, ""),
			wantNative: "apk-100", wantWgt: "wgt-101",
		},
		{
			name: "native version code 0 is a real value when present",
			resources: []Resource{
				res("wgt-50-n0", TypeWgtAndroid, 50, 0),
				res("wgt-60-n100", TypeWgtAndroid, 60, 100),
			},
			query:   android(0, "u1"),
			wantWgt: "wgt-50-n0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NewSnapshot(tt.resources).Decide(tt.query)
			if idOf(got.Native) != tt.wantNative || idOf(got.Wgt) != tt.wantWgt {
				t.Errorf("Decide(%+v) = native %q, wgt %q; want native %q, wgt %q",
					tt.query, idOf(got.Native), idOf(got.Wgt), tt.wantNative, tt.wantWgt)
			}
		})
	}
}

func TestDecideRollout(t *testing.T) {
	const (
		rolloutID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
		stableID  = "a0b1c2d3e4f5061728394a5b6c7d8e9f"
	)
	s := NewSnapshot([]Resource{
		res(stableID, TypeWgtAndroid, 101, 100),
		rollout(res(rolloutID, TypeWgtAndroid, 102, 100), 30),
	})
	const devices = 10000
	got := 0
	for i := range devices {
		q := android(100, fmt.Sprintf("device-%d", i))
		first := s.Decide(q)
		switch idOf(first.Wgt) {
		case rolloutID:
			got++
		case stableID:
		default:
			t.Fatalf("device-%d got wgt %q, want the rollout or the previous 100%% one", i, idOf(first.Wgt))
		}
		if again := s.Decide(q); again != first {
			t.Fatalf("device-%d: answer changed between calls: %q then %q", i, idOf(first.Wgt), idOf(again.Wgt))
		}
	}
	if got < devices*27/100 || got > devices*33/100 {
		t.Errorf("%d of %d devices got the 30%% rollout, want 27%%..33%%", got, devices)
	}
	if w := s.Decide(android(100, "")).Wgt; idOf(w) != stableID {
		t.Errorf("empty uuid got wgt %q, want %q", idOf(w), stableID)
	}
}

// TestDecideRolloutChain checks that a device outside one rollout falls to
// the next candidate, which may itself be a rollout with its own bucket.
func TestDecideRolloutChain(t *testing.T) {
	s := NewSnapshot([]Resource{
		res("apk-100", TypeAndroid, 100, 0),
		rollout(res("apk-110", TypeAndroid, 110, 0), 50),
		rollout(res("apk-120", TypeAndroid, 120, 0), 10),
	})
	seen := map[string]int{}
	for i := range 2000 {
		uuid := fmt.Sprintf("device-%d", i)
		want := "apk-100"
		switch {
		case Bucket("apk-120", uuid) < 10:
			want = "apk-120"
		case Bucket("apk-110", uuid) < 50:
			want = "apk-110"
		}
		got := idOf(s.Decide(android(100, uuid)).Native)
		if got != want {
			t.Fatalf("%s got native %q, want %q", uuid, got, want)
		}
		seen[got]++
	}
	if len(seen) != 3 {
		t.Errorf("answers %v, want all three natives to be offered to someone", seen)
	}
}

func TestNewSnapshotCopiesInput(t *testing.T) {
	in := twoNativeLines()
	s := NewSnapshot(in)
	queries := []Query{android(100, "u1"), android(110, "u2"), {Platform: PlatformAndroid}}
	var wantIDs [][2]string
	for _, q := range queries {
		d := s.Decide(q)
		wantIDs = append(wantIDs, [2]string{idOf(d.Native), idOf(d.Wgt)})
	}
	if wantIDs[0] != [2]string{"apk-110", "wgt-102-n100"} {
		t.Fatalf("before mutation got %v, want apk-110 and wgt-102-n100", wantIDs[0])
	}

	for i := range in {
		in[i].ID = "mutated"
		in[i].Status = StatusDisabled
		in[i].VersionCode = 1
		in[i].NativeVersionCode = 999
	}
	in = append(in[:0], res("intruder", TypeWgtAndroid, 9999, 100))
	_ = in

	for i, q := range queries {
		d := s.Decide(q)
		if got := [2]string{idOf(d.Native), idOf(d.Wgt)}; got != wantIDs[i] {
			t.Errorf("after mutating input, Decide(%+v) = %v, want %v", q, got, wantIDs[i])
		}
	}

	list := s.Resources()
	list[0].ID = "mutated"
	if slices.ContainsFunc(s.Resources(), func(r Resource) bool { return r.ID == "mutated" }) {
		t.Error("mutating Resources() result changed the snapshot")
	}
}

func TestSnapshotLenAndResources(t *testing.T) {
	in := append(twoNativeLines(),
		disabled(res("wgt-300", TypeWgtAndroid, 300, 110)),
		res("fw-1", TypeFirmware, 1, 0),
	)
	s := NewSnapshot(in)
	if got := s.Len(); got != 5 {
		t.Errorf("Len() = %d, want 5 (disabled and firmware dropped)", got)
	}
	var codes []int64
	for _, r := range s.Resources() {
		codes = append(codes, r.VersionCode)
	}
	if !slices.IsSortedFunc(codes, func(a, b int64) int { return int(b - a) }) {
		t.Errorf("Resources() version codes %v, want descending", codes)
	}

	var nilSnap *Snapshot
	if nilSnap.Len() != 0 || nilSnap.Resources() != nil || nilSnap.Decide(android(100, "u")) != (Decision{}) {
		t.Error("nil snapshot does not behave as empty")
	}
	if empty := NewSnapshot(nil); empty == nil || empty.Len() != 0 || empty.Decide(android(1, "u")) != (Decision{}) {
		t.Error("NewSnapshot(nil) is not a valid empty snapshot")
	}
}

func TestDecideDoesNotAllocate(t *testing.T) {
	in := project50()
	if len(in) != 50 {
		t.Fatalf("project50 has %d resources, want 50", len(in))
	}
	s := NewSnapshot(in)
	queries := decideQueries()
	var d Decision
	allocs := testing.AllocsPerRun(200, func() {
		for _, q := range queries {
			d = s.Decide(q)
		}
	})
	if allocs != 0 {
		t.Errorf("Decide allocates %v times per run, want 0", allocs)
	}
	_ = d
	if n := testing.AllocsPerRun(200, func() { _ = Bucket("0123456789abcdef0123456789abcdef", "device-1") }); n != 0 {
		t.Errorf("Bucket allocates %v times per call, want 0", n)
	}
}

// fnvBucket is the specification of Bucket, written the obvious way.
func fnvBucket(resourceID, uuid string) int {
	h := fnv.New32a()
	h.Write([]byte(resourceID + ":" + uuid))
	return int(h.Sum32() % 100)
}

func TestBucketMatchesHashFNV(t *testing.T) {
	uuids := []string{"", ":", "device-0", "A1B2C3D4-E5F6-4789-ABCD-EF0123456789", "设备-é-\x00-\xff", "x:y:z"}
	for i := range 3000 {
		id := fmt.Sprintf("%032x", uint64(i)*0x9e3779b97f4a7c15)
		for _, u := range append(uuids, fmt.Sprintf("device-%d", i)) {
			if got, want := Bucket(id, u), fnvBucket(id, u); got != want {
				t.Fatalf("Bucket(%q, %q) = %d, want %d", id, u, got, want)
			}
		}
	}
	if got, want := Bucket("", ""), fnvBucket("", ""); got != want {
		t.Errorf("Bucket(\"\", \"\") = %d, want %d", got, want)
	}
}

func FuzzBucket(f *testing.F) {
	f.Add("0123456789abcdef0123456789abcdef", "device-1")
	f.Add("", "")
	f.Add("a:b", ":c")
	f.Add("\xff\x00", "设备")
	f.Fuzz(func(t *testing.T, resourceID, uuid string) {
		got := Bucket(resourceID, uuid)
		if got < 0 || got >= 100 {
			t.Fatalf("Bucket(%q, %q) = %d, want 0..99", resourceID, uuid, got)
		}
		if want := fnvBucket(resourceID, uuid); got != want {
			t.Fatalf("Bucket(%q, %q) = %d, want %d", resourceID, uuid, got, want)
		}
	})
}

// A rollback, and a promoted copy of one, is not offered to a device that
// runs the content it re-publishes (it would reinstall it forever).
func TestRollbackFloor(t *testing.T) {
	back := res("back", TypeWgtAndroid, 103, 100)
	back.Origin, back.OriginVersionCode = OriginRollback, 101
	copied := back
	copied.ID, copied.Origin = "copy", OriginPromoted
	for _, r := range []Resource{back, copied} {
		s := NewSnapshot([]Resource{res("n", TypeAndroid, 100, 0), res("w101", TypeWgtAndroid, 101, 100), r})
		for installed, want := range map[int64]string{102: r.ID, 101: "w101", 0: "w101"} {
			q := android(100, "u")
			q.WgtVersionCode = installed
			if got := idOf(s.Decide(q).Wgt); got != want {
				t.Errorf("%s, device on %d: offered %q, want %q", r.Origin, installed, got, want)
			}
		}
	}
}
