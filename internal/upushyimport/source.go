// Package upushyimport imports an upushy-server installation into Hoist: its users
// (who keep their passwords), projects and resources, keeping project and
// resource ids so that apps configured with a projectId keep getting updates
// once they point at Hoist.
//
// upushy-server (SunSeekerX/upushy-server, NestJS + TypeORM on MySQL) keeps
// them in the tables app_user, app_project and app_source; see
// upushytest/upushy.sql for the schema this package reads (ids are 32 hex
// characters made by its guid()). For types 1-3, app_source.url holds an
// object key of upushy's OSS bucket, not a URL: upushy put
// https://{bucket}.{endpoint}.aliyuncs.com/ before it when it answered.
package upushyimport

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/go-sql-driver/mysql"
)

// User is a row of app_user. Password is upushy's argon2 PHC string of the
// md5 hex digest of the password.
type User struct {
	ID          string
	Username    string
	Password    string
	Email       string
	Nickname    string
	CreatedTime time.Time
	UpdatedTime time.Time
}

// Project is a row of app_project.
type Project struct {
	ID          string
	UserID      string // the owner
	Name        string
	Describe    string
	CreatedTime time.Time
	UpdatedTime time.Time
}

// Source is a row of app_source: a resource.
type Source struct {
	ID                string
	ProjectID         string
	Version           string
	VersionCode       int64
	NativeVersionCode int64
	// URL is, for types 1-3, the OSS object key (2021-02/name.wgt, spaces
	// and all) and, for type 4, the App Store link as the user typed it.
	URL         string
	UpdateType  int // 1 user consent, 2 forced, 3 silent
	Type        int // 1 wgt-android, 2 wgt-ios, 3 android, 4 ios
	Status      int // 0 disabled, 1 enabled
	Changelog   string
	Remark      string
	CreatedTime time.Time
	UpdatedTime time.Time
}

// Data is everything the importer copies.
type Data struct {
	Users    []User
	Projects []Project
	Sources  []Source
	// Times says how the time columns were read (for the report).
	Times string
}

// Open connects to an upushy MySQL database given a go-sql-driver DSN
// (user:pass@tcp(host:3306)/upushy). The session runs in UTC, so that MySQL
// converts upushy's TIMESTAMP columns to UTC itself, whatever the server's
// time zone.
func Open(ctx context.Context, dsn string) (*sql.DB, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("upushy: dsn: %w", err)
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["time_zone"] = "'+00:00'"
	if cfg.DBName == "" {
		return nil, fmt.Errorf("upushy: dsn names no database (…/upushy)")
	}
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return nil, fmt.Errorf("upushy: open: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("upushy: connect to %s at %s: %w", cfg.DBName, cfg.Addr, err)
	}
	return db, nil
}

// Read reads the users, projects and resources of an upushy database
// opened with Open. upushy's own schema has TIMESTAMP time columns, which
// MySQL converts to UTC; a time column of type DATETIME (a schema made by
// hand or restored from a converted dump) holds wall-clock time without a
// zone, and is read in loc (nil: UTC).
func Read(ctx context.Context, db *sql.DB, loc *time.Location) (Data, error) {
	if loc == nil {
		loc = time.UTC
	}
	wall, err := datetimeColumns(ctx, db)
	if err != nil {
		return Data{}, err
	}
	at := func(table, col string, t sql.NullTime) time.Time {
		if !t.Valid || !wall[table+"."+col] {
			return t.Time
		}
		v := t.Time
		return time.Date(v.Year(), v.Month(), v.Day(), v.Hour(), v.Minute(), v.Second(), v.Nanosecond(), loc).UTC()
	}
	var d Data
	d.Times = "TIMESTAMP columns, converted to UTC by MySQL"
	if loc != time.UTC {
		d.Times += fmt.Sprintf(" (the time zone %s was not needed)", loc)
	}
	if len(wall) > 0 {
		d.Times = fmt.Sprintf("DATETIME columns, read as wall-clock time in %s", loc)
	}
	err = scan(ctx, db, "app_user",
		"SELECT id, username, password, email, nickname, created_time, updated_time FROM app_user",
		func(rs *sql.Rows) error {
			var u User
			var email, nickname sql.NullString
			var created, updated sql.NullTime
			if err := rs.Scan(&u.ID, &u.Username, &u.Password, &email, &nickname, &created, &updated); err != nil {
				return err
			}
			u.Email, u.Nickname = email.String, nickname.String
			u.CreatedTime, u.UpdatedTime = at("app_user", "created_time", created), at("app_user", "updated_time", updated)
			d.Users = append(d.Users, u)
			return nil
		})
	if err != nil {
		return Data{}, err
	}
	err = scan(ctx, db, "app_project",
		"SELECT id, user_id, name, `describe`, created_time, updated_time FROM app_project",
		func(rs *sql.Rows) error {
			var p Project
			var describe sql.NullString
			var created, updated sql.NullTime
			if err := rs.Scan(&p.ID, &p.UserID, &p.Name, &describe, &created, &updated); err != nil {
				return err
			}
			p.Describe = describe.String
			p.CreatedTime, p.UpdatedTime = at("app_project", "created_time", created), at("app_project", "updated_time", updated)
			d.Projects = append(d.Projects, p)
			return nil
		})
	if err != nil {
		return Data{}, err
	}
	err = scan(ctx, db, "app_source",
		"SELECT id, project_id, version, version_code, native_version_code, url, update_type, type, status, "+
			"changelog, remark, created_time, updated_time FROM app_source",
		func(rs *sql.Rows) error {
			var s Source
			var native, updateType, status sql.NullInt64
			var changelog, remark sql.NullString
			var created, updated sql.NullTime
			if err := rs.Scan(&s.ID, &s.ProjectID, &s.Version, &s.VersionCode, &native, &s.URL, &updateType, &s.Type,
				&status, &changelog, &remark, &created, &updated); err != nil {
				return err
			}
			s.NativeVersionCode, s.UpdateType, s.Status = native.Int64, int(updateType.Int64), int(status.Int64)
			s.Changelog, s.Remark = changelog.String, remark.String
			s.CreatedTime, s.UpdatedTime = at("app_source", "created_time", created), at("app_source", "updated_time", updated)
			d.Sources = append(d.Sources, s)
			return nil
		})
	if err != nil {
		return Data{}, err
	}
	return d, nil
}

// datetimeColumns returns the time columns ("table.column") that are
// DATETIME rather than TIMESTAMP.
func datetimeColumns(ctx context.Context, db *sql.DB) (map[string]bool, error) {
	rs, err := db.QueryContext(ctx, "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS "+
		"WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('app_user', 'app_project', 'app_source') "+
		"AND COLUMN_NAME IN ('created_time', 'updated_time') AND DATA_TYPE = 'datetime'")
	if err != nil {
		return nil, fmt.Errorf("upushy: read column types: %w", err)
	}
	defer rs.Close()
	out := map[string]bool{}
	for rs.Next() {
		var table, col string
		if err := rs.Scan(&table, &col); err != nil {
			return nil, fmt.Errorf("upushy: read column types: %w", err)
		}
		out[table+"."+col] = true
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("upushy: read column types: %w", err)
	}
	return out, nil
}

// scan runs query and calls row for every row.
func scan(ctx context.Context, db *sql.DB, table, query string, row func(*sql.Rows) error) error {
	rs, err := db.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("upushy: read %s (is this an upushy-server database with 32-hex ids?): %w", table, err)
	}
	defer rs.Close()
	for rs.Next() {
		if err := row(rs); err != nil {
			return fmt.Errorf("upushy: read %s: %w", table, err)
		}
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("upushy: read %s: %w", table, err)
	}
	return nil
}
