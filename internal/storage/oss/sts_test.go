package oss

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/storage"
)

const (
	stsAK      = "LTAI5tStsCaller"
	stsSK      = "sts-caller-secret-never-in-errors"
	stsRoleArn = "acs:ram::1234567890123456:role/hoist-upload"
)

// fakeSTS stands in for the STS endpoint. It decodes each call's parameters
// (from the query, where the SDK puts them, or a form body) and answers with
// respond.
type fakeSTS struct {
	srv     *httptest.Server
	mu      sync.Mutex
	calls   []stsCall
	respond func(w http.ResponseWriter)
}

type stsCall struct {
	Method string
	Path   string
	Header http.Header
	Params url.Values
}

func newFakeSTS(tb testing.TB, respond func(w http.ResponseWriter)) *fakeSTS {
	tb.Helper()
	f := &fakeSTS{respond: respond}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		params := r.URL.Query()
		if err := r.ParseForm(); err == nil {
			for k, v := range r.PostForm {
				params[k] = append(params[k], v...)
			}
		}
		f.mu.Lock()
		f.calls = append(f.calls, stsCall{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Params: params})
		f.mu.Unlock()
		f.respond(w)
	}))
	tb.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSTS) seen() []stsCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]stsCall(nil), f.calls...)
}

// assumeRoleOK answers like STS's AssumeRole.
func assumeRoleOK(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.Write([]byte(`{
  "RequestId": "6894B13B-6D71-4EF5-88FA-F32781734A7F",
  "AssumedRoleUser": {
    "Arn": "acs:ram::1234567890123456:role/hoist-upload/u-42",
    "AssumedRoleId": "34458433936495****:u-42"
  },
  "Credentials": {
    "SecurityToken": "CAIS8AF1q6Ft5B2yfSjIr5bkKeLgj5tj7YWDQUKEjFIZeMp/hrzD1zz2IHFPeHJrBeAYt/o3nmxX7f4Zlrp6SJtIXleCZtF94oxN9h2gb4fb4wZI2j2Q****",
    "AccessKeyId": "STS.NUgYrLnoC37mZZCNnAbez****",
    "AccessKeySecret": "CVwjCkNzTMupZ8NbTCxCBRq3K16jtcWFTJAyBEv2****",
    "Expiration": "2025-05-26T11:52:19Z"
  },
  "SourceIdentity": ""
}`))
}

func mustSTS(tb testing.TB, endpoint string) *STS {
	tb.Helper()
	s, err := NewSTS(STSConfig{Endpoint: endpoint, AccessKeyID: stsAK, AccessKeySecret: stsSK, RoleArn: stsRoleArn,
		Region: "cn-hangzhou", Bucket: testBucket, DurationSeconds: 1800})
	if err != nil {
		tb.Fatalf("NewSTS: %v", err)
	}
	return s
}

func TestSTSIssue(t *testing.T) {
	fake := newFakeSTS(t, assumeRoleOK)
	s := mustSTS(t, fake.srv.URL)

	creds, err := s.Issue(context.Background(), "p1/2025-05/", "u-42")
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	want := storage.Credentials{
		AccessKeyID:     "STS.NUgYrLnoC37mZZCNnAbez****",
		AccessKeySecret: "CVwjCkNzTMupZ8NbTCxCBRq3K16jtcWFTJAyBEv2****",
		SecurityToken:   "CAIS8AF1q6Ft5B2yfSjIr5bkKeLgj5tj7YWDQUKEjFIZeMp/hrzD1zz2IHFPeHJrBeAYt/o3nmxX7f4Zlrp6SJtIXleCZtF94oxN9h2gb4fb4wZI2j2Q****",
		Expiration:      time.Date(2025, 5, 26, 11, 52, 19, 0, time.UTC),
	}
	if creds.AccessKeyID != want.AccessKeyID || creds.AccessKeySecret != want.AccessKeySecret ||
		creds.SecurityToken != want.SecurityToken || !creds.Expiration.Equal(want.Expiration) {
		t.Fatalf("Issue = %+v, want %+v", creds, want)
	}

	calls := fake.seen()
	if len(calls) != 1 {
		t.Fatalf("STS calls = %d, want 1", len(calls))
	}
	c := calls[0]
	action := c.Params.Get("Action")
	if action == "" {
		action = c.Header.Get("x-acs-action") // the SDK's ACS3 style names the action in a header
	}
	if c.Method != http.MethodPost || c.Path != "/" || action != "AssumeRole" || c.Header.Get("x-acs-version") != "2015-04-01" {
		t.Fatalf("call = %s %s action %q version %q, want POST / AssumeRole 2015-04-01",
			c.Method, c.Path, action, c.Header.Get("x-acs-version"))
	}
	if auth := c.Header.Get("Authorization"); !strings.Contains(auth, "Credential="+stsAK) || strings.Contains(auth, stsSK) {
		t.Fatalf("Authorization = %q, want a signature with Credential=%s", auth, stsAK)
	}
	if c.Params.Get("RoleArn") != stsRoleArn || c.Params.Get("RoleSessionName") != "u-42" || c.Params.Get("DurationSeconds") != "1800" {
		t.Fatalf("params = %v, want RoleArn, RoleSessionName u-42, DurationSeconds 1800", c.Params)
	}
	assertUploadPolicy(t, c.Params.Get("Policy"), "acs:oss:*:*:"+testBucket+"/p1/2025-05/*")
}

// assertUploadPolicy checks the policy allows exactly the upload actions on
// exactly resource, and nothing else.
func assertUploadPolicy(tb testing.TB, policy, resource string) {
	tb.Helper()
	var doc struct {
		Version   string
		Statement []struct {
			Effect   string
			Action   []string
			Resource []string
		}
	}
	dec := json.NewDecoder(strings.NewReader(policy))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		tb.Fatalf("policy %q: %v", policy, err)
	}
	if doc.Version != "1" || len(doc.Statement) != 1 {
		tb.Fatalf("policy = %s, want version 1 with one statement", policy)
	}
	st := doc.Statement[0]
	actions := slices.Clone(st.Action)
	slices.Sort(actions)
	wantActions := []string{"oss:AbortMultipartUpload", "oss:CompleteMultipartUpload", "oss:InitiateMultipartUpload",
		"oss:ListParts", "oss:PutObject", "oss:UploadPart"}
	if st.Effect != "Allow" || !slices.Equal(actions, wantActions) {
		tb.Fatalf("policy statement %+v, want Allow of exactly %v", st, wantActions)
	}
	if len(st.Resource) != 1 || st.Resource[0] != resource {
		tb.Fatalf("policy resources = %v, want exactly [%s]", st.Resource, resource)
	}
}

func TestSTSRefusesBadInputWithoutRequest(t *testing.T) {
	fake := newFakeSTS(t, assumeRoleOK)
	s := mustSTS(t, fake.srv.URL)
	ctx := context.Background()
	for _, prefix := range []string{"", "/", "p1", "/p1/", "../", "p1/../", "p1//", "p*/", `p1\x/`, `p1/"}],"Effect":"Allow/`, "p1/*/"} {
		if _, err := s.Issue(ctx, prefix, "u-42"); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Issue(prefix %q) = %v, want invalid", prefix, err)
		}
	}
	for _, name := range []string{"", "u", "u 42", strings.Repeat("u", 65), "u/42"} {
		if _, err := s.Issue(ctx, "p1/", name); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Issue(session %q) = %v, want invalid", name, err)
		}
	}
	if calls := fake.seen(); len(calls) != 0 {
		t.Fatalf("bad input reached STS %d times", len(calls))
	}
}

func TestSTSErrorIsUnavailable(t *testing.T) {
	fake := newFakeSTS(t, func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"RequestId":"A8AC2DC9-6B2B-5D1B-9B2A-5D51D0A5F0E1","HostId":"sts.aliyuncs.com",` +
			`"Code":"NoPermission","Message":"You are not authorized to do this action. You should be authorized by RAM."}`))
	})
	s := mustSTS(t, fake.srv.URL)
	_, err := s.Issue(context.Background(), "p1/", "u-42")
	if !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("Issue against a refusing STS = %v, want unavailable", err)
	}
	if strings.Contains(err.Error(), stsSK) {
		t.Fatalf("error leaks the secret: %v", err)
	}
	if n := len(fake.seen()); n != 1 {
		t.Fatalf("STS calls = %d, want 1 (no retries)", n)
	}
}

func TestSTSIncompleteAnswerIsUnavailable(t *testing.T) {
	fake := newFakeSTS(t, func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"RequestId":"x","Credentials":{"AccessKeyId":"STS.x","Expiration":"2025-05-26T11:52:19Z"}}`))
	})
	_, err := mustSTS(t, fake.srv.URL).Issue(context.Background(), "p1/", "u-42")
	if !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("Issue with an incomplete answer = %v, want unavailable", err)
	}
}

func TestUploadPolicyEscapes(t *testing.T) {
	// Only validated prefixes reach uploadPolicy, but the document is built
	// by encoding/json either way: a quote cannot break out of the string.
	p, err := uploadPolicy(`b"`, "p1/")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains([]byte(p), []byte(`acs:oss:*:*:b\"/p1/*`)) {
		t.Fatalf("policy = %s", p)
	}
	assertUploadPolicy(t, p, `acs:oss:*:*:b"/p1/*`)
}

func TestNewSTSRejectsBadConfig(t *testing.T) {
	ok := STSConfig{Endpoint: "sts.cn-hangzhou.aliyuncs.com", AccessKeyID: "a", AccessKeySecret: "s",
		RoleArn: stsRoleArn, Bucket: "b", DurationSeconds: 900}
	if _, err := NewSTS(ok); err != nil {
		t.Fatalf("NewSTS(valid) = %v", err)
	}
	for name, mut := range map[string]func(*STSConfig){
		"no endpoint":    func(c *STSConfig) { c.Endpoint = "" },
		"no key":         func(c *STSConfig) { c.AccessKeyID = "" },
		"no secret":      func(c *STSConfig) { c.AccessKeySecret = "" },
		"no role":        func(c *STSConfig) { c.RoleArn = "" },
		"no bucket":      func(c *STSConfig) { c.Bucket = "" },
		"short duration": func(c *STSConfig) { c.DurationSeconds = 899 },
		"long duration":  func(c *STSConfig) { c.DurationSeconds = 43201 },
	} {
		cfg := ok
		mut(&cfg)
		if _, err := NewSTS(cfg); err == nil {
			t.Errorf("%s: NewSTS succeeded", name)
		}
	}
}
