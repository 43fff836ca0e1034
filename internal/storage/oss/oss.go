// Package oss is the storage.Blob on an Aliyun OSS bucket (Bucket), and the
// STS issuer of short-lived credentials that let a browser upload straight
// to the bucket under one key prefix. It is the only package that imports
// the Aliyun SDKs; the rest of Hoist sees storage.Blob and
// storage.Credentials.
package oss

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/storage"
)

// discardTimeout bounds the clean-up delete after a failed Put, which runs
// even when the Put's context has ended.
const discardTimeout = 30 * time.Second

// Config is the part of the configuration the OSS backend needs.
type Config struct {
	// Endpoint is the OSS endpoint, e.g. "oss-cn-hangzhou.aliyuncs.com";
	// without a scheme, https is used. An IP endpoint (tests) gets
	// path-style requests ("/{bucket}/{key}").
	Endpoint        string
	Bucket          string
	AccessKeyID     string
	AccessKeySecret string
	// PublicBaseURL is where the bucket is publicly readable, usually a CDN
	// ("https://cdn.example.com"). Used by URL only when Signed is false;
	// empty means the bucket's own address.
	PublicBaseURL string
	// Signed makes URL return signed, expiring URLs of a private bucket.
	Signed bool
}

// Bucket stores files as objects of one Aliyun OSS bucket, named by their key.
// It is safe for concurrent use.
type Bucket struct {
	bucket     *alioss.Bucket
	publicBase string
	signed     bool
}

var _ storage.Blob = (*Bucket)(nil)

// New returns a Bucket for cfg. It makes no request; it fails when a
// required field (Endpoint, Bucket, AccessKeyID, AccessKeySecret) is empty or
// Endpoint or PublicBaseURL is malformed.
func New(cfg Config) (*Bucket, error) {
	switch {
	case cfg.Endpoint == "":
		return nil, errors.New("storage: oss: endpoint is required")
	case cfg.Bucket == "":
		return nil, errors.New("storage: oss: bucket is required")
	case cfg.AccessKeyID == "" || cfg.AccessKeySecret == "":
		return nil, errors.New("storage: oss: access key id and secret are required")
	}
	endpoint := cfg.Endpoint
	if !strings.HasPrefix(endpoint, "http://") && !strings.HasPrefix(endpoint, "https://") {
		endpoint = "https://" + endpoint
	}
	ep, err := url.Parse(endpoint)
	if err != nil || ep.Host == "" {
		return nil, fmt.Errorf("storage: oss: endpoint %q is not a host or URL", cfg.Endpoint)
	}
	publicBase := strings.TrimSuffix(cfg.PublicBaseURL, "/")
	if publicBase != "" {
		u, err := url.Parse(publicBase)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("storage: oss: public base URL %q is not an http(s) URL", cfg.PublicBaseURL)
		}
	} else if net.ParseIP(ep.Hostname()) != nil {
		publicBase = ep.Scheme + "://" + ep.Host + "/" + cfg.Bucket
	} else {
		publicBase = ep.Scheme + "://" + cfg.Bucket + "." + ep.Host
	}
	client, err := alioss.New(ep.Scheme+"://"+ep.Host, cfg.AccessKeyID, cfg.AccessKeySecret)
	if err != nil {
		return nil, fmt.Errorf("storage: oss: %w", err)
	}
	bucket, err := client.Bucket(cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("storage: oss: %w", err)
	}
	return &Bucket{bucket: bucket, publicBase: publicBase, signed: cfg.Signed}, nil
}

// Put implements Blob with one streamed PutObject (chunked transfer, as the
// size is not known up front), so an object is at most 5 GB. The SDK checks
// the CRC-64 OSS reports against the bytes sent. After any failure Put
// deletes key, in case OSS kept an object the caller will never record;
// a failure of that delete is not reported.
func (o *Bucket) Put(ctx context.Context, key string, r io.Reader, opts storage.PutOptions) (storage.Object, error) {
	if err := storage.ValidKey(key); err != nil {
		return storage.Object{}, fmt.Errorf("storage: put %s: %w", key, err)
	}
	ct := storage.ContentType(key, opts.ContentType)
	m := storage.NewMeter(ctx, r, opts.MaxSize)
	var hdr http.Header
	err := o.bucket.PutObject(key, m, alioss.WithContext(ctx), alioss.ContentType(ct), alioss.GetResponseHeader(&hdr))
	m.Stop()
	if err == nil && m.Exceeded() {
		err = m.TooLarge() // cannot happen (the body failed), but never keep an oversized file
	}
	if err != nil {
		o.discard(ctx, key)
		switch {
		case m.Exceeded():
			err = m.TooLarge()
		case ctx.Err() != nil:
			err = ctx.Err()
		case m.SourceErr() != nil:
			err = m.SourceErr()
		default:
			err = ossError(err)
		}
		return storage.Object{}, fmt.Errorf("storage: put %s: %w", key, err)
	}
	obj := m.Object(key, ct)
	obj.ModTime = time.Now()
	if t, err := http.ParseTime(hdr.Get("Date")); err == nil {
		obj.ModTime = t
	}
	return obj, nil
}

// discard deletes key after a failed Put, even when ctx has ended.
func (o *Bucket) discard(ctx context.Context, key string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), discardTimeout)
	defer cancel()
	_ = o.bucket.DeleteObject(key, alioss.WithContext(ctx))
}

// Stat implements Blob with a HEAD request. MD5 comes from the Content-MD5
// header, or from the ETag when that is a plain MD5 (objects uploaded in one
// PUT); SHA256 is always empty.
func (o *Bucket) Stat(ctx context.Context, key string) (storage.Object, error) {
	if err := storage.ValidKey(key); err != nil {
		return storage.Object{}, fmt.Errorf("storage: stat %s: %w", key, err)
	}
	hdr, err := o.bucket.GetObjectDetailedMeta(key, alioss.WithContext(ctx))
	if err != nil {
		return storage.Object{}, fmt.Errorf("storage: stat %s: %w", key, ossError(err))
	}
	return ossObject(key, hdr), nil
}

// Open implements Blob. The File issues ranged GETs under ctx, one per
// contiguous run of reads; it is for reading an object through Hoist (Digest),
// while clients download from URL.
func (o *Bucket) Open(ctx context.Context, key string) (storage.File, storage.Object, error) {
	obj, err := o.Stat(ctx, key)
	if err != nil {
		return nil, storage.Object{}, err
	}
	return &ossFile{ctx: ctx, bucket: o.bucket, key: key, size: obj.Size}, obj, nil
}

// Delete implements Blob. OSS itself answers a delete of a missing object
// with success.
func (o *Bucket) Delete(ctx context.Context, key string) error {
	if err := storage.ValidKey(key); err != nil {
		return fmt.Errorf("storage: delete %s: %w", key, err)
	}
	if err := o.bucket.DeleteObject(key, alioss.WithContext(ctx)); err != nil {
		err = ossError(err)
		if apperr.Is(err, apperr.NotFound) {
			return nil
		}
		return fmt.Errorf("storage: delete %s: %w", key, err)
	}
	return nil
}

// URL implements Blob: {PublicBaseURL}/{key} for a public bucket, else a GET
// URL signed with the access key that expires after ttl (rounded up to whole
// seconds).
func (o *Bucket) URL(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if err := storage.ValidKey(key); err != nil {
		return "", fmt.Errorf("storage: url %s: %w", key, err)
	}
	if !o.signed {
		return o.publicBase + "/" + key, nil
	}
	if ttl < time.Second {
		return "", fmt.Errorf("storage: url %s: %w", key,
			apperr.New(apperr.Invalid, "signed URL lifetime must be at least one second"))
	}
	secs := int64((ttl + time.Second - 1) / time.Second)
	u, err := o.bucket.SignURL(key, alioss.HTTPGet, secs)
	if err != nil {
		return "", fmt.Errorf("storage: url %s: %w", key, ossError(err))
	}
	return u, nil
}

// ossObject builds an storage.Object from the headers of a HEAD or GET response.
func ossObject(key string, hdr http.Header) storage.Object {
	obj := storage.Object{Key: key, ContentType: hdr.Get("Content-Type")}
	obj.Size, _ = strconv.ParseInt(hdr.Get("Content-Length"), 10, 64)
	obj.ModTime, _ = http.ParseTime(hdr.Get("Last-Modified"))
	if obj.ContentType == "" {
		obj.ContentType = storage.ContentType(key, "")
	}
	if sum, err := base64.StdEncoding.DecodeString(hdr.Get("Content-MD5")); err == nil && len(sum) == 16 {
		obj.MD5 = hex.EncodeToString(sum)
	} else if etag := strings.ToLower(strings.Trim(hdr.Get("ETag"), `"`)); isHexMD5(etag) {
		obj.MD5 = etag
	}
	return obj
}

// isHexMD5 reports whether s is 32 lowercase hex digits. A multipart or
// appendable object's ETag ("...-3") is not.
func isHexMD5(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// ossError maps an SDK error: a missing object is apperr.NotFound, a context
// error stays itself, anything else is apperr.Unavailable with the SDK error
// as its cause (which carries OSS's code and request id, never a secret).
func ossError(err error) error {
	var se alioss.ServiceError
	if errors.As(err, &se) && se.StatusCode == http.StatusNotFound && se.Code != "NoSuchBucket" {
		return apperr.Wrap(err, apperr.NotFound, "file not found")
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return apperr.Wrap(err, apperr.Unavailable, "file storage unavailable")
}
