// Package migrations holds Hoist's SQL schema migrations, one folder per
// database dialect (mysql/, sqlite/), applied in order by goose. The two
// folders always carry the same numbered files.
package migrations

import "embed"

// FS holds mysql/*.sql and sqlite/*.sql.
//
//go:embed mysql/*.sql sqlite/*.sql
var FS embed.FS
