package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"

	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/release"
	"github.com/hoist-ota/hoist/internal/storage"
	"github.com/hoist-ota/hoist/internal/storage/local"
	"github.com/hoist-ota/hoist/internal/storage/oss"
)

// files is the configured file storage.
type files struct {
	blob  storage.Blob
	local storage.URLVerifier // local disk serves its own links; nil with OSS
	sts   release.STS         // nil without direct uploads
	opts  release.Options
}

// fileSignKey derives the key of signed local download URLs from the JWT
// secret, so that one secret serves both without being used twice as is.
func fileSignKey(jwtSecret string) []byte {
	m := hmac.New(sha256.New, []byte(jwtSecret))
	m.Write([]byte("hoist/files/v1"))
	return m.Sum(nil)
}

// newFiles builds the storage backend of cfg. The JWT secret must be known.
func newFiles(cfg config.Config) (files, error) {
	st := cfg.Storage
	f := files{opts: release.Options{MaxUploadBytes: st.MaxUploadBytes, URLTTL: st.URLTTL}}
	switch st.Driver {
	case "oss":
		o, err := oss.New(oss.Config{Endpoint: st.OSS.Endpoint, Bucket: st.OSS.Bucket,
			AccessKeyID: st.OSS.AccessKeyID, AccessKeySecret: st.OSS.AccessKeySecret,
			PublicBaseURL: st.OSS.PublicBaseURL, Signed: st.OSS.Signed})
		if err != nil {
			return files{}, fmt.Errorf("storage.oss: %w", err)
		}
		f.blob = o
		if st.STS.RoleArn != "" {
			s, err := oss.NewSTS(oss.STSConfig{Endpoint: st.STS.Endpoint, AccessKeyID: st.OSS.AccessKeyID,
				AccessKeySecret: st.OSS.AccessKeySecret, RoleArn: st.STS.RoleArn, Region: st.OSS.Region,
				Bucket: st.OSS.Bucket, DurationSeconds: st.STS.DurationSeconds})
			if err != nil {
				return files{}, fmt.Errorf("storage.sts: %w", err)
			}
			f.sts = s
			f.opts.Direct = release.DirectUpload{Region: st.OSS.Region, Bucket: st.OSS.Bucket, Endpoint: st.OSS.Endpoint}
		}
	default:
		l, err := local.New(local.Config{Dir: st.Local.Dir, Signed: st.Local.SignedURLs,
			SignKey: fileSignKey(cfg.JWT.Secret)})
		if err != nil {
			return files{}, fmt.Errorf("storage.local.dir (HOIST_STORAGE_LOCAL_DIR): %w", err)
		}
		f.blob, f.local = l, l
	}
	return f, nil
}
