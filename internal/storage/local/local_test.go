package local

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"testing/iotest"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/storage"
	"github.com/hoist-ota/hoist/internal/storage/storagetest"
)

var testSignKey = []byte("0123456789abcdef0123456789abcdef")

func mustLocal(tb testing.TB, cfg Config) *Disk {
	tb.Helper()
	if cfg.Dir == "" {
		cfg.Dir = tb.TempDir()
	}
	l, err := New(cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return l
}

// filesUnder lists every non-directory entry below dir.
func filesUnder(tb testing.TB, dir string) []string {
	tb.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("walk %s: %v", dir, err)
	}
	return files
}

func assertNoFiles(tb testing.TB, dir string) {
	tb.Helper()
	if files := filesUnder(tb, dir); len(files) != 0 {
		tb.Fatalf("files left behind: %v", files)
	}
}

func TestLocalPutStatOpenDelete(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := mustLocal(t, Config{Dir: dir})
	data := storagetest.Payload(1<<20+123, 1)
	key := storage.NewKey("p1", time.Now(), ".wgt")

	obj, err := l.Put(ctx, key, bytes.NewReader(data), storage.PutOptions{MaxSize: int64(len(data)), ContentType: "application/zip"})
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	wantMD5 := md5.Sum(data)
	wantSHA := sha256.Sum256(data)
	if obj.Key != key || obj.Size != int64(len(data)) || obj.MD5 != hex.EncodeToString(wantMD5[:]) ||
		obj.SHA256 != hex.EncodeToString(wantSHA[:]) || obj.ContentType != "application/zip" || obj.ModTime.IsZero() {
		t.Fatalf("Put = %+v, want size %d md5 %x sha256 %x", obj, len(data), wantMD5, wantSHA)
	}
	onDisk, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(key)))
	if err != nil || !bytes.Equal(onDisk, data) {
		t.Fatalf("file on disk differs (err %v)", err)
	}
	if files := filesUnder(t, dir); len(files) != 1 {
		t.Fatalf("files after Put = %v, want just the key", files)
	}

	st, err := l.Stat(ctx, key)
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	if st.Size != obj.Size || !st.ModTime.Equal(obj.ModTime) || st.Key != key {
		t.Fatalf("Stat = %+v, want size %d modtime %v", st, obj.Size, obj.ModTime)
	}

	f, fobj, err := l.Open(ctx, key)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer f.Close()
	if fobj.Size != obj.Size {
		t.Fatalf("Open object size %d, want %d", fobj.Size, obj.Size)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/files/"+key, nil)
	req.Header.Set("Range", "bytes=1000-1999")
	http.ServeContent(rec, req, key, fobj.ModTime, f)
	if rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), data[1000:2000]) {
		t.Fatalf("range GET = %d with %d bytes, want 206 with data[1000:2000]", rec.Code, rec.Body.Len())
	}
	if got := rec.Header().Get("Content-Range"); got != "bytes 1000-1999/"+strconv.Itoa(len(data)) {
		t.Fatalf("Content-Range = %q", got)
	}

	dg, err := storage.Digest(ctx, l, key)
	if err != nil || dg.MD5 != obj.MD5 || dg.SHA256 != obj.SHA256 || dg.Size != obj.Size {
		t.Fatalf("Digest = %+v, %v; want the digests of Put", dg, err)
	}

	if err := l.Delete(ctx, key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := l.Stat(ctx, key); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("Stat after Delete = %v, want not_found", err)
	}
	if _, _, err := l.Open(ctx, key); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("Open after Delete = %v, want not_found", err)
	}
	if err := l.Delete(ctx, key); err != nil {
		t.Fatalf("second Delete = %v, want nil", err)
	}
	assertNoFiles(t, dir)
}

func TestLocalPutReplacesAndEmpty(t *testing.T) {
	ctx := context.Background()
	l := mustLocal(t, Config{})
	if _, err := l.Put(ctx, "p/k.bin", bytes.NewReader([]byte("first")), storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	obj, err := l.Put(ctx, "p/k.bin", bytes.NewReader(nil), storage.PutOptions{MaxSize: 10})
	if err != nil {
		t.Fatalf("empty Put: %v", err)
	}
	if obj.Size != 0 || obj.MD5 != "d41d8cd98f00b204e9800998ecf8427e" ||
		obj.SHA256 != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Fatalf("empty Put = %+v", obj)
	}
	st, err := l.Stat(ctx, "p/k.bin")
	if err != nil || st.Size != 0 {
		t.Fatalf("Stat after replace = %+v, %v; want size 0", st, err)
	}
}

func TestLocalPutTooLarge(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := mustLocal(t, Config{Dir: dir})
	data := storagetest.Payload(300_001, 2)

	_, err := l.Put(ctx, "p/2024-05/big.apk", bytes.NewReader(data), storage.PutOptions{MaxSize: 300_000})
	if !apperr.Is(err, apperr.TooLarge) {
		t.Fatalf("Put over the limit = %v, want too_large", err)
	}
	assertNoFiles(t, dir)
	if _, err := l.Stat(ctx, "p/2024-05/big.apk"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("Stat after too_large = %v, want not_found", err)
	}

	// Exactly the limit is fine.
	obj, err := l.Put(ctx, "p/2024-05/big.apk", bytes.NewReader(data[:300_000]), storage.PutOptions{MaxSize: 300_000})
	if err != nil || obj.Size != 300_000 {
		t.Fatalf("Put at the limit = %+v, %v", obj, err)
	}
}

func TestLocalPutReaderFails(t *testing.T) {
	dir := t.TempDir()
	l := mustLocal(t, Config{Dir: dir})
	boom := errors.New("connection reset by client")
	r := &storagetest.FailingReader{R: bytes.NewReader(storagetest.Payload(200_000, 3)), N: 100_000, Err: boom}

	_, err := l.Put(context.Background(), "p/x.bin", r, storage.PutOptions{MaxSize: 1 << 20})
	if !errors.Is(err, boom) {
		t.Fatalf("Put = %v, want the reader's error", err)
	}
	assertNoFiles(t, dir)
}

func TestLocalPutCancelled(t *testing.T) {
	dir := t.TempDir()
	l := mustLocal(t, Config{Dir: dir})

	ctx, cancel := context.WithCancel(context.Background())
	r := &storagetest.CancelingReader{R: bytes.NewReader(storagetest.Payload(500_000, 4)), Cancel: cancel}
	_, err := l.Put(ctx, "p/x.bin", r, storage.PutOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Put with context cancelled midway = %v, want context.Canceled", err)
	}
	assertNoFiles(t, dir)

	// A body that ends with its only read: the cancellation arrives with
	// the last bytes and still leaves nothing.
	ctx, cancel = context.WithCancel(context.Background())
	r = &storagetest.CancelingReader{R: iotest.DataErrReader(bytes.NewReader([]byte("tiny"))), Cancel: cancel}
	if _, err := l.Put(ctx, "p/y.bin", r, storage.PutOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put cancelled after the last read = %v, want context.Canceled", err)
	}
	assertNoFiles(t, dir)

	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := l.Put(ctx, "p/z.bin", bytes.NewReader([]byte("x")), storage.PutOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put with a cancelled context = %v, want context.Canceled", err)
	}
	assertNoFiles(t, dir)
}

func TestLocalBadKeys(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := mustLocal(t, Config{Dir: dir, Signed: true, SignKey: testSignKey})
	for _, key := range []string{"", "/etc/passwd", "../escape", "a/../../b", `a\b`, "a//b", ".tmp/x", "a b"} {
		if _, err := l.Put(ctx, key, bytes.NewReader([]byte("x")), storage.PutOptions{}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Put(%q) = %v, want invalid", key, err)
		}
		if _, err := l.Stat(ctx, key); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Stat(%q) = %v, want invalid", key, err)
		}
		if _, _, err := l.Open(ctx, key); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Open(%q) = %v, want invalid", key, err)
		}
		if err := l.Delete(ctx, key); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Delete(%q) = %v, want invalid", key, err)
		}
		if _, err := l.URL(ctx, key, time.Minute); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("URL(%q) = %v, want invalid", key, err)
		}
		if err := l.VerifySignature(key, "1", "00", time.Now()); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("VerifySignature(%q) = %v, want invalid", key, err)
		}
	}
	assertNoFiles(t, dir)
}

func TestLocalDirectoriesAreNotFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := mustLocal(t, Config{Dir: dir})
	if _, err := l.Put(ctx, "p/2024-05/a.bin", bytes.NewReader([]byte("a")), storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"p", "p/2024-05", "p/2024-05/a.bin/below"} {
		if _, err := l.Stat(ctx, key); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("Stat(%q) = %v, want not_found", key, err)
		}
		if _, _, err := l.Open(ctx, key); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("Open(%q) = %v, want not_found", key, err)
		}
		if err := l.Delete(ctx, key); err != nil {
			t.Errorf("Delete(%q) = %v, want nil", key, err)
		}
	}
	if _, err := l.Stat(ctx, "p/2024-05/a.bin"); err != nil {
		t.Fatalf("file gone after deleting its directories' keys: %v", err)
	}
}

func TestLocalURL(t *testing.T) {
	ctx := context.Background()
	key := "p1/2024-05/0123456789abcdef0123456789abcdef.wgt"

	plain := mustLocal(t, Config{})
	if u, err := plain.URL(ctx, key, time.Minute); err != nil || u != "/files/"+key {
		t.Fatalf("unsigned URL = %q, %v", u, err)
	}
	if plain.Signed() {
		t.Fatal("Signed() = true without signing")
	}
	custom := mustLocal(t, Config{URLPrefix: "/dl/"})
	if u, _ := custom.URL(ctx, key, 0); u != "/dl/"+key {
		t.Fatalf("URL with prefix /dl/ = %q", u)
	}

	now := time.Unix(1_700_000_000, 0)
	l := mustLocal(t, Config{Signed: true, SignKey: testSignKey, Now: func() time.Time { return now }})
	raw, err := l.URL(ctx, key, 10*time.Minute)
	if err != nil {
		t.Fatalf("signed URL: %v", err)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Path != "/files/"+key {
		t.Fatalf("signed URL %q: path %q, %v", raw, u.Path, err)
	}
	exp, sig := u.Query().Get("expires"), u.Query().Get("sig")
	if exp != strconv.FormatInt(now.Unix()+600, 10) || len(sig) != 64 {
		t.Fatalf("signed URL %q: expires %q sig %q", raw, exp, sig)
	}
	if err := l.VerifySignature(key, exp, sig, now); err != nil {
		t.Fatalf("VerifySignature of a fresh URL: %v", err)
	}
	if err := l.VerifySignature(key, exp, sig, now.Add(600*time.Second)); err != nil {
		t.Fatalf("VerifySignature at the expiry second: %v", err)
	}

	flip := []byte(sig)
	flip[0] ^= 1
	if flip[0] > 'f' || (flip[0] > '9' && flip[0] < 'a') {
		flip[0] = '0'
	}
	bad := []struct {
		name, key, exp, sig string
		at                  time.Time
	}{
		{"expired", key, exp, sig, now.Add(601 * time.Second)},
		{"tampered signature", key, exp, string(flip), now},
		{"other key", "p1/2024-05/other.wgt", exp, sig, now},
		{"later expiry", key, strconv.FormatInt(now.Unix()+6000, 10), sig, now},
		{"non-canonical expiry", key, "+" + exp, sig, now},
		{"not hex", key, exp, "zz" + sig[2:], now},
		{"empty", key, "", "", now},
	}
	for _, b := range bad {
		if err := l.VerifySignature(b.key, b.exp, b.sig, b.at); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("%s: VerifySignature = %v, want forbidden", b.name, err)
		}
	}
	other := mustLocal(t, Config{Signed: true, SignKey: []byte("another-key-another-key-another-key!")})
	if err := other.VerifySignature(key, exp, sig, now); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("signature under another key = %v, want forbidden", err)
	}
	if err := plain.VerifySignature(key, exp, sig, now); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("VerifySignature without a key = %v, want forbidden", err)
	}
	if _, err := l.URL(ctx, key, 0); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("signed URL with ttl 0 = %v, want invalid", err)
	}
}

func TestNewLocalRejectsBadConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no dir":          {},
		"prefix no slash": {Dir: t.TempDir(), URLPrefix: "files"},
		"prefix no tail":  {Dir: t.TempDir(), URLPrefix: "/files"},
		"short key":       {Dir: t.TempDir(), Signed: true, SignKey: []byte("short")},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}
