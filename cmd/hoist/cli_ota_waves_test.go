package main

import (
	"reflect"
	"testing"

	"github.com/hoist-ota/hoist/internal/client"
)

func TestParseWaves(t *testing.T) {
	cases := []struct {
		in   string
		want []client.WaveSpec
		ok   bool
	}{
		{"canary,10%,50%,rest", []client.WaveSpec{{Tag: "canary"}, {Percent: 10}, {Percent: 50}}, true},
		{"5, 20% ,beta", []client.WaveSpec{{Count: 5}, {Percent: 20}, {Tag: "beta"}}, true},
		{"canary", []client.WaveSpec{{Tag: "canary"}}, true},
		{"canary,REST", []client.WaveSpec{{Tag: "canary"}}, true},
		{"rest", nil, false},
		{"canary,,10%", nil, false},
		{"rest,canary", nil, false},
		{"0%", nil, false},
		{"-3", []client.WaveSpec{{Tag: "-3"}}, true}, // a tag name; the server checks names
		{"10x", nil, false},
		{"%", nil, false},
	}
	for _, tc := range cases {
		got, err := parseWaves(tc.in)
		if (err == nil) != tc.ok || (tc.ok && !reflect.DeepEqual(got, tc.want)) {
			t.Errorf("parseWaves(%q) = %+v, %v; want %+v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
