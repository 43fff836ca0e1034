package page

import (
	"testing"

	"github.com/hoist-ota/hoist/internal/apperr"
)

func TestParse(t *testing.T) {
	allowed := []string{"createdTime", "name"}
	cases := []struct {
		num, size, sort, order string
		want                   Request
		bad                    []string
	}{
		{"", "", "", "", Request{1, 20, "createdTime", true}, nil},
		{"3", "50", "name", "asc", Request{3, 50, "name", false}, nil},
		{"1", "500", "", "DESC", Request{1, 100, "createdTime", true}, nil},
		{"0", "x", "password", "up", Request{}, []string{"pageNum", "pageSize", "sortKey", "order"}},
		{"-1", "0", "", "", Request{}, []string{"pageNum", "pageSize"}},
	}
	for _, c := range cases {
		got, err := Parse(c.num, c.size, c.sort, c.order, allowed)
		if c.bad == nil {
			if err != nil || got != c.want {
				t.Errorf("%v: got %+v, %v", c, got, err)
			}
			continue
		}
		var ae *apperr.Error
		if !apperrAs(err, &ae) || len(ae.Fields) != len(c.bad) {
			t.Fatalf("%v: want fields %v, got %v", c, c.bad, err)
		}
		for i, f := range ae.Fields {
			if f.Field != c.bad[i] {
				t.Errorf("%v: field %d = %s, want %s", c, i, f.Field, c.bad[i])
			}
		}
	}
	if (Request{Num: 3, Size: 20}).Offset() != 40 {
		t.Fatal("offset")
	}
}

func apperrAs(err error, target **apperr.Error) bool {
	e, ok := err.(*apperr.Error)
	*target = e
	return ok
}
