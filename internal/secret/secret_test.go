package secret

import (
	"strings"
	"testing"
)

func TestTokenHashEqual(t *testing.T) {
	tok := Token("hst_")
	if !strings.HasPrefix(tok, "hst_") || len(tok) != 4+43 || Token("hst_") == tok {
		t.Fatalf("token %q", tok)
	}
	if Hash("a") != "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb" {
		t.Fatal("hash is not sha256 hex")
	}
	if !Equal("x", "x") || Equal("x", "y") {
		t.Fatal("Equal")
	}
}
