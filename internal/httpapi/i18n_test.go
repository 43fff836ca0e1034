package httpapi

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestChineseMessagesFollowAcceptLanguage(t *testing.T) {
	ts := mustServer(t, nil)
	zh := []string{"Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8"}
	body := func(v any) *strings.Reader { b, _ := json.Marshal(v); return strings.NewReader(string(b)) }

	// Update-check field errors.
	rec, env := ts.do(t, "POST", "/api/basic/update", body(map[string]any{"platform": "windows"}), append(zh, "Content-Type", "application/json")...)
	mustErrorEnvelope(t, rec, env, 400, "invalid")
	if len(env.Errors) != 2 || env.Errors[0].Field != "projectId" || env.Errors[0].Message != "为必填项" ||
		env.Errors[1].Message != "必须是 android 或 ios" || env.Message != "projectId 为必填项; platform 必须是 android 或 ios" {
		t.Fatalf("update check: %s", rec.Body)
	}
	// Not found, unauthorized, unknown route.
	rec, env = ts.do(t, "POST", "/api/update", body(map[string]any{"projectId": "0123456789abcdef0123456789abcdef", "platform": "ios"}), append(zh, "Content-Type", "application/json")...)
	if rec.Code != 404 || env.Code != "not_found" || env.Message != "项目不存在" {
		t.Fatalf("not found: %s", rec.Body)
	}
	rec, env = ts.do(t, "GET", "/api/v1/me", nil, append(zh, "Authorization", "Bearer nope")...)
	if rec.Code != 401 || env.Code != "unauthorized" || env.Message != "访问令牌无效或已过期" {
		t.Fatalf("unauthorized: %s", rec.Body)
	}
	// Validation with numbers in it; English without the header.
	rec, env = ts.do(t, "POST", "/api/v1/auth/register", body(map[string]any{"username": "x", "password": testPassword}), append(zh, "Content-Type", "application/json")...)
	if rec.Code != 400 || env.Code != "invalid" || len(env.Errors) != 1 || env.Errors[0].Message != "长度必须为 3 到 50 个字符" {
		t.Fatalf("register: %s", rec.Body)
	}
	rec, env = ts.do(t, "POST", "/api/v1/auth/register", body(map[string]any{"username": "x", "password": testPassword}), "Content-Type", "application/json", "Accept-Language", "en-US,zh;q=0.5")
	if len(env.Errors) != 1 || env.Errors[0].Message != "must be 3 to 50 characters" {
		t.Fatalf("english: %s", rec.Body)
	}
}

// A wgt published before its native build says what to do, in both
// languages.
func TestWgtBeforeNativeSaysWhatToDo(t *testing.T) {
	ts := mustServer(t, nil)
	f := newReleaseFixture(t, ts)
	tok, pid := f.owner.AccessToken, f.project.ID
	w := ts.mustUpload(t, tok, pid, "a.wgt", wgtBytes(t))
	body := map[string]any{"type": 1, "version": "1.0.1", "versionCode": 101, "nativeVersionCode": 100, "storageKey": w.Key, "updateType": 1}
	for lang, want := range map[string]string{
		"en":    "must be the versionCode of a android native resource of this project (in channel production): publish the native build first",
		"zh-CN": "必须是此项目渠道 production 中某个 android 原生包的 versionCode：请先发布原生包",
	} {
		b, _ := json.Marshal(body)
		rec, env := ts.do(t, "POST", "/api/v1/projects/"+pid+"/resources", strings.NewReader(string(b)),
			"Authorization", "Bearer "+tok, "Content-Type", "application/json", "Accept-Language", lang)
		if rec.Code != 400 || len(env.Errors) != 1 || env.Errors[0].Message != want {
			t.Errorf("%s: %s", lang, rec.Body)
		}
	}
}
