package oss

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	sts "github.com/alibabacloud-go/sts-20150401/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/storage"
)

// STS duration limits (seconds): Aliyun's minimum, and the largest maximum
// a RAM role can be configured with.
const (
	MinSTSDuration = 900
	MaxSTSDuration = 43200
)

// STS request timeouts, in milliseconds as the SDK wants them.
const (
	stsConnectTimeoutMS = 5000
	stsReadTimeoutMS    = 10000
)

// uploadActions returns the only OSS actions an issued credential allows: a
// simple upload and the multipart-upload steps. No read, list or delete.
func uploadActions() []string {
	return []string{
		"oss:PutObject",
		"oss:InitiateMultipartUpload",
		"oss:UploadPart",
		"oss:CompleteMultipartUpload",
		"oss:AbortMultipartUpload",
		"oss:ListParts",
	}
}

// STSConfig is the part of the configuration the STS issuer needs.
type STSConfig struct {
	// Endpoint is the STS endpoint host, e.g. "sts.cn-hangzhou.aliyuncs.com"
	// (https). A full "http://host:port" URL selects the scheme (tests).
	Endpoint        string
	AccessKeyID     string
	AccessKeySecret string
	// RoleArn is the RAM role assumed, e.g. "acs:ram::123:role/hoist-upload".
	RoleArn string
	Region  string
	// Bucket is the OSS bucket the issued credentials may write to.
	Bucket string
	// DurationSeconds is the credentials' lifetime, MinSTSDuration to
	// MaxSTSDuration (and no more than the role allows).
	DurationSeconds int
}

// STS issues upload credentials by assuming a RAM role with a policy that
// narrows it to uploads under one key prefix. It is safe for concurrent use.
type STS struct {
	client   *sts.Client
	roleArn  string
	bucket   string
	duration int64
}

// NewSTS returns an issuer for cfg. It makes no request; it fails when a
// required field (Endpoint, AccessKeyID, AccessKeySecret, RoleArn, Bucket) is
// empty or DurationSeconds is out of range.
func NewSTS(cfg STSConfig) (*STS, error) {
	switch {
	case cfg.Endpoint == "":
		return nil, errors.New("storage: sts: endpoint is required")
	case cfg.AccessKeyID == "" || cfg.AccessKeySecret == "":
		return nil, errors.New("storage: sts: access key id and secret are required")
	case cfg.RoleArn == "":
		return nil, errors.New("storage: sts: role ARN is required")
	case cfg.Bucket == "":
		return nil, errors.New("storage: sts: bucket is required")
	case cfg.DurationSeconds < MinSTSDuration || cfg.DurationSeconds > MaxSTSDuration:
		return nil, fmt.Errorf("storage: sts: duration must be %d to %d seconds", MinSTSDuration, MaxSTSDuration)
	}
	protocol, host := "https", cfg.Endpoint
	if rest, ok := strings.CutPrefix(host, "http://"); ok {
		protocol, host = "http", rest
	} else if rest, ok := strings.CutPrefix(host, "https://"); ok {
		host = rest
	}
	host = strings.TrimSuffix(host, "/")
	conf := &openapi.Config{
		AccessKeyId:     dara.String(cfg.AccessKeyID),
		AccessKeySecret: dara.String(cfg.AccessKeySecret),
		Endpoint:        dara.String(host),
		Protocol:        dara.String(protocol),
		ConnectTimeout:  dara.Int(stsConnectTimeoutMS),
		ReadTimeout:     dara.Int(stsReadTimeoutMS),
	}
	if cfg.Region != "" {
		conf.RegionId = dara.String(cfg.Region)
	}
	client, err := sts.NewClient(conf)
	if err != nil {
		return nil, fmt.Errorf("storage: sts: %w", err)
	}
	return &STS{client: client, roleArn: cfg.RoleArn, bucket: cfg.Bucket, duration: int64(cfg.DurationSeconds)}, nil
}

// Issue assumes the role for sessionName (2 to 64 of [A-Za-z0-9.@_-], e.g.
// "u-42") and returns credentials that allow only uploads (PutObject and
// the multipart steps) of objects under keyPrefix in the bucket. keyPrefix
// must end with "/" and be a valid key without that slash; a bad keyPrefix
// or sessionName is an apperr.Invalid error and no request is made. A
// failing or malformed STS answer is an apperr.Unavailable error.
func (s *STS) Issue(ctx context.Context, keyPrefix, sessionName string) (storage.Credentials, error) {
	if err := storage.ValidKeyPrefix(keyPrefix); err != nil {
		return storage.Credentials{}, fmt.Errorf("storage: sts: issue %s: %w", keyPrefix, err)
	}
	if !validSessionName(sessionName) {
		return storage.Credentials{}, fmt.Errorf("storage: sts: issue %s: %w", keyPrefix, apperr.Fields(apperr.FieldError{
			Field: "sessionName", Message: "must be 2 to 64 of letters, digits, '.', '@', '_' and '-'"}))
	}
	policy, err := uploadPolicy(s.bucket, keyPrefix)
	if err != nil {
		return storage.Credentials{}, fmt.Errorf("storage: sts: issue %s: %w", keyPrefix, err)
	}
	req := &sts.AssumeRoleRequest{
		RoleArn:         dara.String(s.roleArn),
		RoleSessionName: dara.String(sessionName),
		DurationSeconds: dara.Int64(s.duration),
		Policy:          dara.String(policy),
	}
	resp, err := s.client.AssumeRoleWithContext(ctx, req, &dara.RuntimeOptions{})
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return storage.Credentials{}, fmt.Errorf("storage: sts: issue %s: %w", keyPrefix, ctxErr)
		}
		return storage.Credentials{}, fmt.Errorf("storage: sts: issue %s: %w", keyPrefix,
			apperr.Wrap(err, apperr.Unavailable, "upload credentials unavailable"))
	}
	creds, err := credentialsOf(resp)
	if err != nil {
		return storage.Credentials{}, fmt.Errorf("storage: sts: issue %s: %w", keyPrefix,
			apperr.Wrap(err, apperr.Unavailable, "upload credentials unavailable"))
	}
	return creds, nil
}

// credentialsOf extracts the credentials of an AssumeRole answer.
func credentialsOf(resp *sts.AssumeRoleResponse) (storage.Credentials, error) {
	if resp == nil || resp.Body == nil || resp.Body.Credentials == nil {
		return storage.Credentials{}, errors.New("answer without credentials")
	}
	c := resp.Body.Credentials
	creds := storage.Credentials{
		AccessKeyID:     dara.StringValue(c.AccessKeyId),
		AccessKeySecret: dara.StringValue(c.AccessKeySecret),
		SecurityToken:   dara.StringValue(c.SecurityToken),
	}
	if creds.AccessKeyID == "" || creds.AccessKeySecret == "" || creds.SecurityToken == "" {
		return storage.Credentials{}, errors.New("answer with incomplete credentials")
	}
	exp, err := time.Parse(time.RFC3339, dara.StringValue(c.Expiration))
	if err != nil {
		return storage.Credentials{}, fmt.Errorf("answer with a bad expiration: %w", err)
	}
	creds.Expiration = exp
	return creds, nil
}

// validSessionName reports whether s is a valid STS RoleSessionName.
func validSessionName(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '.' || c == '@' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// policyDocument is a RAM policy (the subset Issue writes).
type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

// policyStatement is one statement of a RAM policy.
type policyStatement struct {
	Effect   string   `json:"Effect"`
	Action   []string `json:"Action"`
	Resource []string `json:"Resource"`
}

// uploadPolicy returns the policy JSON allowing only uploadActions on
// acs:oss:*:*:{bucket}/{prefix}*. prefix must have passed storage.ValidKeyPrefix.
func uploadPolicy(bucket, prefix string) (string, error) {
	doc := policyDocument{
		Version: "1",
		Statement: []policyStatement{{
			Effect:   "Allow",
			Action:   uploadActions(),
			Resource: []string{"acs:oss:*:*:" + bucket + "/" + prefix + "*"},
		}},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
