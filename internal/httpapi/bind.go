package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/page"
)

// nativeAPI is the prefix of the routes whose bodies may hold only the
// fields the request documents. Other JSON bodies (broker hooks, seed 000's
// /ota) come from software Hoist does not control and may carry more.
const nativeAPI = "/api/v1/"

// bindJSON decodes the request body into dst (a request DTO) and turns every
// way it can fail into a 4xx apperr error: an empty body, malformed JSON, a
// field of the wrong type (named in errors[]), on the native API a field the
// request does not have (named, with its path: a misspelt field must not be
// silently ignored), trailing data, or a body over the limit (413).
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
	strict := strings.HasPrefix(c.Request.URL.Path, nativeAPI)
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(dst); err != nil {
		if strict && strings.HasPrefix(err.Error(), "json: unknown field ") {
			field := unknownField(body, reflect.TypeOf(dst), "")
			if field == "" {
				field = strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			}
			return &apperr.Error{Code: apperr.Invalid, Message: field + " is not a field of this request",
				Fields: []apperr.FieldError{{Field: field, Message: "is not a field of this request"}}}
		}
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

// unknownField returns the path ("target.everyone") of the first member of
// the JSON object body that type t has no field for, matching names as
// encoding/json does; "" when it finds none.
func unknownField(body []byte, t reflect.Type, prefix string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return ""
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil {
		return ""
	}
	keys := make([]string, 0, len(members))
	for k := range members {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f, ok := fieldByJSONName(t, k)
		if !ok {
			return prefix + k
		}
		if p := unknownField(members[k], f.Type, prefix+k+"."); p != "" {
			return p
		}
	}
	return ""
}

// fieldByJSONName finds the struct field a JSON member name decodes into:
// its json tag name (or Go name), exactly, else ignoring case.
func fieldByJSONName(t reflect.Type, name string) (reflect.StructField, bool) {
	var fold *reflect.StructField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("json"), ",")[0]
		if tag == "-" || !f.IsExported() {
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		if tag == name {
			return f, true
		}
		if fold == nil && strings.EqualFold(tag, name) {
			fold = &f
		}
	}
	if fold != nil {
		return *fold, true
	}
	return reflect.StructField{}, false
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
