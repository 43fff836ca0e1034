package dict

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hoist-ota/hoist/internal/apperr"
)

func str(s string) *string { return &s }
func num(n int) *int       { return &n }

// fieldsOf returns the field names of an Invalid error, nil for nil.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	ae, ok := err.(*apperr.Error)
	if !ok || ae.Code != apperr.Invalid {
		t.Fatalf("want an Invalid *apperr.Error, got %v", err)
	}
	var out []string
	for _, f := range ae.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestTypeFieldsValidate(t *testing.T) {
	cases := []struct {
		name     string
		f        TypeFields
		creating bool
		want     []string
	}{
		{"minimal", TypeFields{Code: str("ab"), Name: str("x")}, true, nil},
		{"longest code", TypeFields{Code: str("a" + strings.Repeat("_9", 24) + "z"), Name: str("x")}, true, nil},
		{"missing", TypeFields{}, true, []string{"code", "name"}},
		{"one letter", TypeFields{Code: str("a"), Name: str("x")}, true, []string{"code"}},
		{"code too long", TypeFields{Code: str(strings.Repeat("a", 51)), Name: str("x")}, true, []string{"code"}},
		{"leading digit", TypeFields{Code: str("1ab"), Name: str("x")}, true, []string{"code"}},
		{"leading underscore", TypeFields{Code: str("_ab"), Name: str("x")}, true, []string{"code"}},
		{"upper case", TypeFields{Code: str("Device"), Name: str("x")}, true, []string{"code"}},
		{"dash", TypeFields{Code: str("device-model"), Name: str("x")}, true, []string{"code"}},
		{"blank name", TypeFields{Code: str("ab"), Name: str("   ")}, true, []string{"name"}},
		{"50 Chinese characters", TypeFields{Code: str("ab"), Name: str(strings.Repeat("型", 50))}, true, nil},
		{"51 characters", TypeFields{Code: str("ab"), Name: str(strings.Repeat("型", 51))}, true, []string{"name"}},
		{"long description", TypeFields{Code: str("ab"), Name: str("x"), Description: str(strings.Repeat("d", 256))}, true, []string{"description"}},
		{"every field", TypeFields{Code: str("A"), Name: str(""), Description: str(strings.Repeat("d", 256))}, true, []string{"code", "name", "description"}},
		{"update nothing", TypeFields{}, false, nil},
		{"update ignores code", TypeFields{Code: str("BAD")}, false, nil},
		{"update empty name", TypeFields{Name: str("")}, false, []string{"name"}},
		{"english name and description", TypeFields{Code: str("ab"), Name: str("型号"), NameEn: str(" Models "), DescriptionEn: str("d")}, true, nil},
		{"no english name", TypeFields{Code: str("ab"), Name: str("x"), NameEn: str("")}, true, nil},
		{"long english name", TypeFields{NameEn: str(strings.Repeat("n", 51))}, false, []string{"nameEn"}},
		{"english name with a newline", TypeFields{NameEn: str("a\nb")}, false, []string{"nameEn"}},
		{"long english description", TypeFields{DescriptionEn: str(strings.Repeat("d", 256))}, false, []string{"descriptionEn"}},
	}
	for _, c := range cases {
		if got := fieldsOf(t, c.f.validate(c.creating)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: fields %v, want %v", c.name, got, c.want)
		}
	}
}

func TestItemFieldsValidate(t *testing.T) {
	cases := []struct {
		name     string
		f        ItemFields
		creating bool
		want     []string
	}{
		{"minimal", ItemFields{Label: str("强制更新"), Value: str("2")}, true, nil},
		{"missing", ItemFields{}, true, []string{"label", "value"}},
		{"full", ItemFields{Label: str("a"), LabelEn: str("A"), Value: str("a"), Color: str("geekblue"), Sort: num(-100000), Enabled: new(bool)}, true, nil},
		{"blank", ItemFields{Label: str(" "), Value: str(" ")}, true, []string{"label", "value"}},
		{"long", ItemFields{Label: str(strings.Repeat("标", 51)), LabelEn: str(strings.Repeat("l", 51)), Value: str(strings.Repeat("v", 51))}, true,
			[]string{"label", "labelEn", "value"}},
		{"hex colour", ItemFields{Color: str("#1677FF")}, false, nil},
		{"status colour", ItemFields{Color: str("processing")}, false, nil},
		{"no colour", ItemFields{Color: str("")}, false, nil},
		{"css name", ItemFields{Color: str("rebeccapurple")}, false, []string{"color"}},
		{"short hex", ItemFields{Color: str("#fff")}, false, []string{"color"}},
		{"not hex", ItemFields{Color: str("#gggggg")}, false, []string{"color"}},
		{"sort high", ItemFields{Sort: num(100001)}, false, []string{"sort"}},
		{"sort low", ItemFields{Sort: num(-100001)}, false, []string{"sort"}},
		{"every field", ItemFields{Label: str(""), LabelEn: str(strings.Repeat("l", 51)), Value: str(""), Color: str("x"), Sort: num(1 << 20)}, false,
			[]string{"label", "labelEn", "value", "color", "sort"}},
	}
	for _, c := range cases {
		if got := fieldsOf(t, c.f.validate(c.creating)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: fields %v, want %v", c.name, got, c.want)
		}
	}
}

func TestItemFieldsApplyNormalises(t *testing.T) {
	it := Item{Label: "old", Value: "1", Color: "red", Sort: 3, Enabled: true}
	off := false
	ItemFields{Label: str(" 新 "), LabelEn: str(" New "), Color: str(" #ABCDEF "), Enabled: &off}.apply(&it)
	want := Item{Label: "新", LabelEn: "New", Value: "1", Color: "#abcdef", Sort: 3, Enabled: false}
	if it != want {
		t.Fatalf("applied %+v, want %+v", it, want)
	}
}
