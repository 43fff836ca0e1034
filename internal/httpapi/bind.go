package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/page"
)

// bindJSON decodes the request body into dst (a request DTO) and turns every
// way it can fail into a 4xx apperr error: an empty body, malformed JSON, a
// field of the wrong type (named in errors[]), trailing data, or a body over
// the limit (413).
func bindJSON(c *gin.Context, dst any) error {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err // respondError maps it to 413
		}
		return apperr.Wrap(err, apperr.Invalid, "could not read the request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return apperr.New(apperr.Invalid, "request body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typ) && typ.Field != "":
			return apperr.Fields(apperr.FieldError{Field: typ.Field, Message: "must be " + jsonKind(typ.Type.Kind().String())})
		case errors.As(err, &typ):
			return apperr.New(apperr.Invalid, "request body must be a JSON object")
		case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF):
			return apperr.Wrap(err, apperr.Invalid, "malformed JSON: %s", err.Error())
		default: // e.g. a time that is not RFC 3339
			return apperr.Wrap(err, apperr.Invalid, "invalid value: %s", err.Error())
		}
	}
	if dec.More() {
		return apperr.New(apperr.Invalid, "malformed JSON: unexpected data after the object")
	}
	return nil
}

func jsonKind(goKind string) string {
	switch {
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"):
		return "a whole number"
	case strings.HasPrefix(goKind, "float"):
		return "a number"
	case goKind == "string":
		return "a string"
	case goKind == "bool":
		return "true or false"
	case goKind == "slice", goKind == "array":
		return "an array"
	default:
		return "an object"
	}
}

// parsePage reads pageNum, pageSize, sortKey and order from the query.
func parsePage(c *gin.Context, sortKeys []string) (page.Request, error) {
	return page.Parse(c.Query("pageNum"), c.Query("pageSize"), c.Query("sortKey"), c.Query("order"), sortKeys)
}

// listView is the list payload of PROTOCOLS §1.
type listView[T any] struct {
	Total   int64 `json:"total"`
	Records []T   `json:"records"`
	PageNum int   `json:"pageNum"`
	PageSz  int   `json:"pageSize"`
}

// respondList writes one page of records mapped by view.
func respondList[D, V any](c *gin.Context, pg page.Request, items []D, total int64, view func(D) V) {
	out := make([]V, len(items))
	for i, it := range items {
		out[i] = view(it)
	}
	respondOK(c, http.StatusOK, listView[V]{Total: total, Records: out, PageNum: pg.Num, PageSz: pg.Size})
}
