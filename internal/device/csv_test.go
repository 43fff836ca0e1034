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
			[]NewDevice{{"d1", []string{"a", "b"}, 2}, {"d2", []string{"c", "d"}, 3}, {"d3", []string{}, 4}}},
		{"columns in any order and case, BOM, CRLF, spaces, blank lines", "\ufeffTags , NAME\r\n x ; y ,  d1\r\n\r\n,d2\r\n",
			[]NewDevice{{"d1", []string{"x", "y"}, 2}, {"d2", []string{}, 4}}},
		{"name only", "name\nd1\n\"d2\"\n", []NewDevice{{Name: "d1", Line: 2}, {Name: "d2", Line: 3}}},
		{"header only", "name,tags\n", nil},
		{"empty tag parts dropped", "name,tags\nd1,;a||b;\n", []NewDevice{{"d1", []string{"a", "b"}, 2}}},
		{"a quoted cell over two lines: the row's first line", "name,tags\n\"d1\",\"a;\nb\"\nd2,c\n",
			[]NewDevice{{"d1", []string{"a", "b"}, 2}, {"d2", []string{"c"}, 4}}},
	}
	for _, c := range cases {
		got, err := ParseCSV(strings.NewReader(c.in), true)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %#v, %v; want %#v", c.name, got, err, c.want)
		}
	}
}

// Without a header (text/csv; header=absent) the columns are name,tags and
// every line is a device, numbered as the file is.
func TestParseCSVWithoutHeader(t *testing.T) {
	cases := []struct {
		name, in string
		want     []NewDevice
	}{
		{"name and tags", "d1,a;b\n\nd2\n d3 ,c|d\n",
			[]NewDevice{{"d1", []string{"a", "b"}, 1}, {Name: "d2", Line: 3}, {"d3", []string{"c", "d"}, 4}}},
		{"BOM and CRLF", "\ufeffd1\r\nd2,x\r\n", []NewDevice{{Name: "d1", Line: 1}, {"d2", []string{"x"}, 2}}},
		{"a first row that reads like a header is a device", "name,tags\n", []NewDevice{{"name", []string{"tags"}, 1}}},
	}
	for _, c := range cases {
		got, err := ParseCSV(strings.NewReader(c.in), false)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %#v, %v; want %#v", c.name, got, err, c.want)
		}
	}
	for in, mention := range map[string]string{"": "empty", "d1,a,b\n": "line 1 has 3 cells", "d1\n\"d2\n": "line 2"} {
		if _, err := ParseCSV(strings.NewReader(in), false); !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), mention) {
			t.Errorf("%q: %v, want Invalid mentioning %q", in, err, mention)
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
		if _, err := ParseCSV(strings.NewReader(in), true); !apperr.Is(err, apperr.Invalid) {
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
	got, err := ParseCSV(strings.NewReader(b.String()), true)
	if err != nil || len(got) != MaxBatch+1 {
		t.Fatalf("got %d devices, %v; want %d", len(got), err, MaxBatch+1)
	}
}

func FuzzParseCSV(f *testing.F) {
	for _, s := range []string{"name,tags\nd1,a;b\n", "name\n\"x\"\"y\"\n", "\ufeffname,tags\r\nd,|\r\n", "tags,name\n,,\n"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, in string, header bool) {
		got, err := ParseCSV(strings.NewReader(in), header)
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
			if d.Line < 1 {
				t.Fatalf("line %d", d.Line)
			}
			for _, tag := range d.Tags {
				if tag == "" || strings.ContainsAny(tag, ";|") || strings.TrimSpace(tag) != tag {
					t.Fatalf("tag %q", tag)
				}
			}
		}
	})
}
