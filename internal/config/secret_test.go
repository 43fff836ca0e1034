package config

import (
	"os"
	"strings"
	"testing"
)

func TestEnsureJWTSecretGeneratesOnceAndKeepsIt(t *testing.T) {
	c := Default()
	c.DataDir = t.TempDir() + "/nested"
	created, err := c.EnsureJWTSecret()
	if err != nil || !created || len(c.JWT.Secret) != 64 {
		t.Fatalf("first: created=%v len=%d err=%v", created, len(c.JWT.Secret), err)
	}
	st, err := os.Stat(c.JWTSecretPath())
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v %v", st, err)
	}
	first := c.JWT.Secret

	c2 := Default()
	c2.DataDir = c.DataDir
	created, err = c2.EnsureJWTSecret()
	if err != nil || created || c2.JWT.Secret != first {
		t.Fatalf("restart: created=%v same=%v err=%v", created, c2.JWT.Secret == first, err)
	}
	if err := c2.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestEnsureJWTSecretLeavesExplicitAndProductionAlone(t *testing.T) {
	c := Default()
	c.DataDir = t.TempDir()
	c.JWT.Secret = strings.Repeat("x", 32)
	if created, err := c.EnsureJWTSecret(); created || err != nil || c.JWT.Secret != strings.Repeat("x", 32) {
		t.Fatalf("explicit: %v %v", created, err)
	}
	p := Default()
	p.DataDir = t.TempDir()
	p.DB.Driver = DriverMySQL
	if created, err := p.EnsureJWTSecret(); created || err != nil || p.JWT.Secret != "" {
		t.Fatalf("production generated a secret: %v %v", created, err)
	}
	if _, err := os.Stat(p.JWTSecretPath()); err == nil {
		t.Fatal("production wrote a secret file")
	}
}

func TestEnsureJWTSecretRefusesATruncatedFile(t *testing.T) {
	c := Default()
	c.DataDir = t.TempDir()
	os.WriteFile(c.JWTSecretPath(), []byte("short\n"), 0o600)
	if _, err := c.EnsureJWTSecret(); err == nil || !strings.Contains(err.Error(), "delete it") {
		t.Fatalf("got %v", err)
	}
}
