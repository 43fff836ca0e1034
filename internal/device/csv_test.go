package device

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hoist-ota/hoist/internal/apperr"
)

func TestParseCSV(t *testing.T) {
	cases := []struct {
		name, in string
		want     []NewDevice
	}{
		{"name and tags", "name,tags\nd1,a;b\nd2,c|d\nd3,\n",
			[]NewDevice{{"d1", []string{"a", "b"}}, {"d2", []string{"c", "d"}}, {"d3", []string{}}}},
		{"columns in any order and case, BOM, CRLF, spaces, blank lines", "\ufeffTags , NAME\r\n x ; y ,  d1\r\n\r\n,d2\r\n",
			[]NewDevice{{"d1", []string{"x", "y"}}, {"d2", []string{}}}},
		{"name only", "name\nd1\n\"d2\"\n", []NewDevice{{Name: "d1"}, {Name: "d2"}}},
		{"header only", "name,tags\n", nil},
		{"empty tag parts dropped", "name,tags\nd1,;a||b;\n", []NewDevice{{"d1", []string{"a", "b"}}}},
	}
	for _, c := range cases {
		got, err := ParseCSV(strings.NewReader(c.in))
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %#v, %v; want %#v", c.name, got, err, c.want)
		}
	}
}

func TestParseCSVRejects(t *testing.T) {
	for _, in := range []string{
		"",
		"device,tags\nd1,a\n",       // no name column
		"name,tags,extra\nd1,a,b\n", // unknown column
		"name,name\nd1,d2\n",        // repeated column
		"name,tags\nd1,a,b\n",       // wrong number of fields
		"name,tags\n\"d1,a\n",       // unterminated quote
	} {
		if _, err := ParseCSV(strings.NewReader(in)); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%q: %v, want Invalid", in, err)
		}
	}
}

func TestParseCSVStopsAfterMaxBatch(t *testing.T) {
	var b strings.Builder
	b.WriteString("name\n")
	for i := range MaxBatch + 50 {
		fmt.Fprintf(&b, "d%d\n", i)
	}
	got, err := ParseCSV(strings.NewReader(b.String()))
	if err != nil || len(got) != MaxBatch+1 {
		t.Fatalf("got %d devices, %v; want %d", len(got), err, MaxBatch+1)
	}
}

func FuzzParseCSV(f *testing.F) {
	for _, s := range []string{"name,tags\nd1,a;b\n", "name\n\"x\"\"y\"\n", "\ufeffname,tags\r\nd,|\r\n", "tags,name\n,,\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ParseCSV(strings.NewReader(in))
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("error of another kind: %v", err)
			}
			return
		}
		if len(got) > MaxBatch+1 {
			t.Fatalf("%d devices", len(got))
		}
		for _, d := range got {
			for _, tag := range d.Tags {
				if tag == "" || strings.ContainsAny(tag, ";|") || strings.TrimSpace(tag) != tag {
					t.Fatalf("tag %q", tag)
				}
			}
		}
	})
}
