package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// errUnavailableMsg is the message of every "cannot reach the database"
// error: a 503 for API callers, a retry for background work.
const errUnavailableMsg = "database unavailable"

// unreachable reports whether err says the database cannot be reached (as
// opposed to refusing the statement): a refused or reset connection, a
// connection the driver gave up on, a timeout.
func unreachable(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne)
}

// markUnavailable wraps a statement's unreachable-database error as apperr
// Unavailable, so that every caller maps it to 503 without knowing the
// driver.
func markUnavailable(db *gorm.DB) {
	if db.Error != nil && !apperr.Is(db.Error, apperr.Unavailable) && unreachable(db.Error) {
		db.Error = apperr.Wrap(db.Error, apperr.Unavailable, errUnavailableMsg)
	}
}

// registerUnavailable installs markUnavailable after every kind of
// statement.
func registerUnavailable(db *gorm.DB) error {
	cb := db.Callback()
	for name, err := range map[string]error{
		"create": cb.Create().After("*").Register("hoist:unavailable", markUnavailable),
		"query":  cb.Query().After("*").Register("hoist:unavailable", markUnavailable),
		"update": cb.Update().After("*").Register("hoist:unavailable", markUnavailable),
		"delete": cb.Delete().After("*").Register("hoist:unavailable", markUnavailable),
		"row":    cb.Row().After("*").Register("hoist:unavailable", markUnavailable),
		"raw":    cb.Raw().After("*").Register("hoist:unavailable", markUnavailable),
	} {
		if err != nil {
			return errors.Join(errors.New("store: register "+name+" callback"), err)
		}
	}
	return nil
}

// asUnavailable wraps an unreachable-database error (say, from BEGIN) as
// apperr Unavailable; other errors are returned as they are.
func asUnavailable(err error) error {
	if err != nil && !apperr.Is(err, apperr.Unavailable) && unreachable(err) {
		return apperr.Wrap(err, apperr.Unavailable, errUnavailableMsg)
	}
	return err
}
