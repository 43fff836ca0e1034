// Package upushy imports an upushy-server installation into Hoist: its users
// (who keep their passwords), projects and resources, keeping project and
// resource ids so that apps configured with a projectId keep getting updates
// once they point at Hoist.
//
// upushy-server (SunSeekerX/upushy-server, NestJS + TypeORM on MySQL) keeps
// them in the tables app_user, app_project and app_source; see
// upushytest/upushy.sql for the schema this package reads (ids are 32 hex
// characters made by its guid()).
package upushy

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
	URL               string // where upushy-client downloads it: OSS or upushy's own host
	UpdateType        int    // 1 user consent, 2 forced, 3 silent
	Type              int    // 1 wgt-android, 2 wgt-ios, 3 android, 4 ios
	Status            int    // 0 disabled, 1 enabled
	Changelog         string
	Remark            string
	CreatedTime       time.Time
	UpdatedTime       time.Time
}

// Data is everything the importer copies.
type Data struct {
	Users    []User
	Projects []Project
	Sources  []Source
}

// Open connects to an upushy MySQL database given a go-sql-driver DSN
// (user:pass@tcp(host:3306)/upushy). Times are read as UTC.
func Open(ctx context.Context, dsn string) (*sql.DB, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("upushy: dsn: %w", err)
	}
	cfg.ParseTime = true
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

// Read reads the users, projects and resources of an upushy database.
func Read(ctx context.Context, db *sql.DB) (Data, error) {
	var d Data
	err := scan(ctx, db, "app_user",
		"SELECT id, username, password, email, nickname, created_time, updated_time FROM app_user",
		func(rs *sql.Rows) error {
			var u User
			var email, nickname sql.NullString
			var created, updated sql.NullTime
			if err := rs.Scan(&u.ID, &u.Username, &u.Password, &email, &nickname, &created, &updated); err != nil {
				return err
			}
			u.Email, u.Nickname, u.CreatedTime, u.UpdatedTime = email.String, nickname.String, created.Time, updated.Time
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
			p.Describe, p.CreatedTime, p.UpdatedTime = describe.String, created.Time, updated.Time
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
			s.Changelog, s.Remark, s.CreatedTime, s.UpdatedTime = changelog.String, remark.String, created.Time, updated.Time
			d.Sources = append(d.Sources, s)
			return nil
		})
	if err != nil {
		return Data{}, err
	}
	return d, nil
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
