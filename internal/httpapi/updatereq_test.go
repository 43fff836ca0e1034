package httpapi

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// reference decodes a body with encoding/json into the documented request
// type: what parseCheckRequest must agree with.
func reference(b []byte) (updateRequest, string, string, error) {
	var r updateRequest
	if err := json.Unmarshal(b, &r); err != nil {
		return r, "", "", err
	}
	var info struct {
		UUID     json.RawMessage `json:"uuid"`
		DeviceID json.RawMessage `json:"deviceId"`
	}
	uuid, deviceID := "", ""
	if len(r.SystemInfo) > 0 && r.SystemInfo[0] == '{' {
		json.Unmarshal(r.SystemInfo, &info)
		json.Unmarshal(info.UUID, &uuid)         // a non-string uuid counts as none
		json.Unmarshal(info.DeviceID, &deviceID) // likewise
		if uuid == "" {                          // the SDK's uuid may arrive late: deviceId is always sent
			uuid = deviceID
		}
	}
	return r, uuid, deviceID, nil
}

func checkAgainstReference(t *testing.T, body string) {
	got, gotErr := parseCheckRequest([]byte(body))
	want, wantUUID, wantDeviceID, wantErr := reference([]byte(body))
	var typ *json.UnmarshalTypeError
	switch {
	case wantErr != nil && errors.As(wantErr, &typ):
		// A member of the wrong type: both must refuse, naming a field.
		if gotErr == nil || !apperr.Is(gotErr, apperr.Invalid) {
			t.Fatalf("%q: encoding/json refuses (%v), parser accepts", body, wantErr)
		}
		return
	case wantErr != nil:
		if gotErr == nil {
			t.Fatalf("%q: encoding/json refuses (%v), parser accepts", body, wantErr)
		}
		return
	case gotErr != nil:
		t.Fatalf("%q: encoding/json accepts, parser refuses: %v", body, gotErr)
	}
	wantPlatform := want.Platform
	if wantPlatform != "" && wantPlatform != "android" && wantPlatform != "ios" {
		wantPlatform = "other"
	}
	if got.ProjectID != want.ProjectID || got.Platform != wantPlatform || got.UUID != wantUUID || got.DeviceID != wantDeviceID ||
		got.WgtVersionCode != want.WgtVersionCode || got.NativeVersionCode != want.NativeVersionCode ||
		string(got.SystemInfo) != string(want.SystemInfo) {
		t.Fatalf("%q:\n got %+v uuid %q\nwant %+v uuid %q", body, got, got.UUID, want, wantUUID)
	}
}

func TestDeviceIDFallsBackToDeviceID(t *testing.T) {
	for body, want := range map[string]string{
		`{"systemInfo":{"deviceId":"D1","brand":"x"}}`: "D1",
		`{"systemInfo":{"deviceId":"D1","uuid":"U1"}}`: "U1",
		`{"systemInfo":{"uuid":"","deviceId":"D1"}}`:   "D1",
		`{"systemInfo":{"brand":"x"}}`:                 "",
	} {
		got, err := parseCheckRequest([]byte(body))
		if err != nil || got.UUID != want {
			t.Errorf("%s: device id %q (%v), want %q", body, got.UUID, err, want)
		}
	}
}

func TestParseCheckRequestAgreesWithEncodingJSON(t *testing.T) {
	for _, body := range checkSeeds {
		checkAgainstReference(t, body)
	}
}

var checkSeeds = []string{
	`{"projectId":"866116d35b382bb6e1ae0cbb484b9950","platform":"android","wgtVersion":"1.0.0","wgtVersionCode":100,"nativeVersion":"1.0.0","nativeVersionCode":100,"systemInfo":{"uuid":"abc","brand":"x"}}`,
	` { "projectId" : "p" , "platform" : "ios" , "nativeVersionCode" : "100" } `,
	`{"PROJECTID":"p","Platform":"android","NATIVEVERSIONCODE":5,"systemINFO":{"UUID":"u"}}`,
	`{"projectId":"p\u0041\n","platform":"andr\u006fid","systemInfo":{"uuid":"\u00e9t\u00e9","uuid":"second"}}`,
	`{"projectId":"first","projectId":"second","platform":"ios","platform":null}`,
	`{"projectId":5}`,
	`{"projectId":"p","platform":["android"]}`,
	`{"projectId":"p","systemInfo":[{"uuid":"x"}],"wgtVersionCode":null}`,
	`{"projectId":"p","systemInfo":{"uuid":5,"nested":{"uuid":"inner"}}}`,
	`{"projectId":"p","systemInfo":{"a":"}\"{","uuid":"ok"}}`,
	`{"projectId":"p","nativeVersionCode":-1,"wgtVersionCode":1.5}`,
	`{"projectId":"p","nativeVersionCode":"12x"}`,
	`{"projectId":"p","wgtVersion":5}`,
	`{"projectId":"p","systemInfo":"just a string"}`,
	`{"projectId":"p","systemInfo":{"deviceId":"D1","brand":"x"}}`,
	`{"projectId":"p","systemInfo":{"deviceId":"D1","uuid":"U1"}}`,
	`{"projectId":"p","systemInfo":{"uuid":"","deviceId":"D1"}}`,
	`{"projectId":"p","systemInfo":{"uuid":7,"DEVICEID":"D2","deviceId":5}}`,
	`{"projectId":"p","\u0070latform":"ios"}`,
	`{"projectId":"p","platformſ":"ios","ſystemInfo":{"uuid":"kelvin K"}}`,
	`{"000000000":"000000","plAtform":""}`,
	`{}`, `[]`, `null`, `"x"`, `{`, `{"a":1,}`, `{"projectId":"p"} x`, ``,
	`{"projectId":"\ud83d\ude00","platform":"ios"}`,
	"{\"projectId\":\"invalid \xff utf8\"}",
}

func FuzzParseCheckRequest(f *testing.F) {
	for _, s := range checkSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if strings.Count(body, "[")+strings.Count(body, "{") > 200 {
			return // encoding/json's nesting limits are not this parser's concern
		}
		checkAgainstReference(t, body)
	})
}
