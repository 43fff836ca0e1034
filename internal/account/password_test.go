package account

import (
	"strings"
	"testing"
)

func TestPasswordHashWithProductionParameters(t *testing.T) {
	h := hashPassword("correct horse battery", DefaultArgon2)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if ok, err := verifyPassword("correct horse battery", h); !ok || err != nil {
		t.Fatalf("verify: %v %v", ok, err)
	}
	if ok, _ := verifyPassword("correct horse batterY", h); ok {
		t.Fatal("wrong password verified")
	}
	if h == hashPassword("correct horse battery", DefaultArgon2) {
		t.Fatal("no salt")
	}
}

func TestVerifyRejectsMalformedHashes(t *testing.T) {
	for _, h := range []string{"", "plain", "$2a$10$bcrypt", "$argon2id$v=19$m=1,t=1,p=1$$", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=18$m=64,t=1,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA"} {
		if ok, err := verifyPassword("x", h); ok || err == nil {
			t.Errorf("%q: ok=%v err=%v", h, ok, err)
		}
	}
}

func TestValidation(t *testing.T) {
	for _, u := range []string{"ab", strings.Repeat("a", 51), "a b", "ali/ce", "ålice"} {
		if ValidateUsername(u) == nil {
			t.Errorf("username %q accepted", u)
		}
	}
	for _, u := range []string{"abc", "a.b-c_d", strings.Repeat("a", 50)} {
		if f := ValidateUsername(u); f != nil {
			t.Errorf("username %q refused: %v", u, f)
		}
	}
	for _, p := range []string{"1234567", strings.Repeat("x", 73), "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8"} {
		if ValidatePassword("password", p) == nil {
			t.Errorf("password %q accepted", p)
		}
	}
	if ValidatePassword("password", "密码密码密码密码") != nil { // 8 characters, 24 bytes
		t.Error("8 CJK characters refused")
	}
}
