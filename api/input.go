package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ringtrace/ringtrace/api/cases"
	"github.com/ringtrace/ringtrace/api/masking"
	"github.com/ringtrace/ringtrace/graph"
)

// Input parsing: every parameter is validated here and a failure names the field.

func intParam(c echo.Context, name string, def, lo, hi int) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fieldErr(name, fmt.Sprintf("%s 必须是 %d 到 %d 之间的整数", name, lo, hi), fmt.Sprintf("%s must be an integer between %d and %d", name, lo, hi))
	}
	return n, nil
}

// pageParams reads the offset and limit of a paged list: offset 0..maxOffset, limit 1..500
// (default 50), the same bounds on every list so that no page can be made expensive.
func pageParams(c echo.Context, maxOffset int) (offset, limit int, err error) {
	if offset, err = intParam(c, "offset", 0, 0, maxOffset); err != nil {
		return 0, 0, err
	}
	if limit, err = intParam(c, "limit", 50, 1, 500); err != nil {
		return 0, 0, err
	}
	return offset, limit, nil
}

func floatParam(c echo.Context, name string, def, lo, hi float64) (float64, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < lo || f > hi || f != f {
		return 0, fieldErr(name, fmt.Sprintf("%s 必须是 %g 到 %g 之间的数", name, lo, hi), fmt.Sprintf("%s must be a number between %g and %g", name, lo, hi))
	}
	return f, nil
}

func boolParam(c echo.Context, name string) (*bool, error) {
	v := c.QueryParam(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, fieldErr(name, name+" 必须是 true 或 false", name+" must be true or false")
	}
	return &b, nil
}

// parseTime reads the value v of input field as YYYY-MM-DD (midnight China time) or RFC 3339;
// empty is the zero time.
func parseTime(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", v, cases.ChinaTime); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, fieldErr(field, field+" 须为 YYYY-MM-DD 或 RFC 3339 时间", field+" must be YYYY-MM-DD or an RFC 3339 time")
}

// timeParam reads a query parameter with parseTime.
func timeParam(c echo.Context, name string) (time.Time, error) {
	return parseTime(name, c.QueryParam(name))
}

func timeRange(c echo.Context) (from, to time.Time, err error) {
	return timeParamsNamed(c, "from", "to")
}

// timeParamsNamed reads a time range from two query parameters; the second must be after the first.
func timeParamsNamed(c echo.Context, lo, hi string) (from, to time.Time, err error) {
	if from, err = timeParam(c, lo); err != nil {
		return
	}
	if to, err = timeParam(c, hi); err != nil {
		return
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		err = fieldErr(hi, "结束时间须晚于开始时间", hi+" must be after "+lo)
	}
	return
}

// listParam reads a comma-separated query parameter of values that valid accepts; what names
// the kind of value in the error ("实体类型" / "entity type").
func listParam[T ~string](c echo.Context, name, whatZH, whatEN string, valid func(T) bool) ([]T, error) {
	v := c.QueryParam(name)
	if v == "" {
		return nil, nil
	}
	var out []T
	for _, p := range strings.Split(v, ",") {
		t := T(strings.TrimSpace(p))
		if !valid(t) {
			return nil, fieldErr(name, fmt.Sprintf("未知%s %q", whatZH, t), fmt.Sprintf("unknown %s %q", whatEN, t))
		}
		out = append(out, t)
	}
	return out, nil
}

func typesParam(c echo.Context, name string) ([]graph.EntityType, error) {
	return listParam(c, name, "实体类型", "entity type", graph.EntityType.Valid)
}

func claimTypesParam(c echo.Context, name string) ([]graph.ClaimType, error) {
	return listParam(c, name, "结算类型", "claim type", func(t graph.ClaimType) bool {
		return t == graph.ClaimOutpatient || t == graph.ClaimInpatient || t == graph.ClaimPharmacy
	})
}

const maxIDLen = 256

// resolveRef validates a ref and turns a pseudonymised id back into the real one.
func (s *Server) resolveRef(field string, t graph.EntityType, id string) (graph.Ref, error) {
	if !t.Valid() {
		return graph.Ref{}, unknownType(field, t)
	}
	if id == "" || len(id) > maxIDLen {
		return graph.Ref{}, fieldErr(field, "id 为空或过长", "id is empty or too long")
	}
	if strings.HasPrefix(id, masking.PseudonymPrefix) {
		real, ok := s.svc.Masker.Reveal(t, id)
		if !ok {
			return graph.Ref{}, fieldErr(field, "无效的假名标识", "invalid pseudonym")
		}
		id = real
	}
	return graph.Ref{Type: t, ID: id}, nil
}

// resolveRefs resolves refs given in a body; field(i) names the field of the i-th, and
// partiesOnly refuses refs that are not parties.
func (s *Server) resolveRefs(xs []graph.Ref, field func(i int) string, partiesOnly bool) ([]graph.Ref, error) {
	out := make([]graph.Ref, 0, len(xs))
	for i, x := range xs {
		ref, err := s.resolveRef(field(i), x.Type, x.ID)
		if err != nil {
			return nil, err
		}
		if partiesOnly && !ref.Type.IsParty() {
			return nil, fieldErr(field(i), "只能关联参保人、医师、医疗机构或药店", "link patients, doctors, institutions or pharmacies")
		}
		out = append(out, ref)
	}
	return out, nil
}

// pathRef reads /:type/:id.
func (s *Server) pathRef(c echo.Context) (graph.Ref, error) {
	t := graph.EntityType(c.Param("type"))
	if !t.Valid() {
		return graph.Ref{}, unknownType("type", t)
	}
	return s.resolveRef("id", t, pathParam(c, "id"))
}

func unknownType(field string, t graph.EntityType) error {
	return fieldErr(field, fmt.Sprintf("未知实体类型 %q", t), fmt.Sprintf("unknown entity type %q", t))
}

// pathParam returns a path parameter unescaped. echo routes on the raw path when the URL holds
// escapes (a terminal id "H…/T9" arrives as H…%2FT9) and then leaves parameters escaped.
func pathParam(c echo.Context, name string) string {
	v := c.Param(name)
	if c.Request().URL.RawPath == "" {
		return v
	}
	if u, err := url.PathUnescape(v); err == nil {
		return u
	}
	return v
}

// refParam reads "type:id" from a query parameter.
func (s *Server) refParam(c echo.Context, name string) (graph.Ref, error) {
	v := c.QueryParam(name)
	t, id, ok := strings.Cut(v, ":")
	if !ok {
		return graph.Ref{}, fieldErr(name, name+" 须为 type:id", name+" must be type:id")
	}
	return s.resolveRef(name, graph.EntityType(t), id)
}

// bindJSON decodes a JSON body strictly: unknown fields and trailing data are errors.
func bindJSON(c echo.Context, v any) error { return decodeStrict(c.Request().Body, v) }

// decodeStrict decodes one JSON value from r into v; unknown fields and trailing data are
// errors naming what is wrong. A struct target takes only a JSON object: `null`, an array or a
// bare value is refused rather than read as "no fields given". A body over the route's limit is
// 413.
func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return decodeErr(err)
	}
	if dec.More() {
		return fieldErr("body", "请求体含多余内容", "trailing data after the JSON body")
	}
	if wantsObject(v) && !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		return fieldErr("body", "请求体须为 JSON 对象", "body must be a JSON object")
	}
	inner := json.NewDecoder(bytes.NewReader(raw))
	inner.DisallowUnknownFields()
	if err := inner.Decode(v); err != nil {
		return decodeErr(err)
	}
	return nil
}

// wantsObject reports whether v points to a struct (after any pointers).
func wantsObject(v any) bool {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t != nil && t.Kind() == reflect.Struct
}

func decodeErr(err error) error {
	var ute *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig), strings.Contains(err.Error(), "request body too large"):
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
	case errors.As(err, &ute):
		f := ute.Field
		if f == "" {
			f = "body"
		}
		return fieldErr(f, fmt.Sprintf("%s 类型错误", f), fmt.Sprintf("%s has the wrong type", f))
	case errors.Is(err, io.EOF):
		return fieldErr("body", "请求体为空", "empty body")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return fieldErr(f, "未知字段 "+f, "unknown field "+f)
	default:
		return fieldErr("body", "请求体不是有效的 JSON", "body is not valid JSON")
	}
}

// needVersion checks the "version" of a request that changes a versioned record (a case, a
// report): updates carry the version they were based on.
func needVersion(v *int) (int, error) {
	if v == nil {
		return 0, fieldErr("version", "需要提供当前版本号 version", "version is required")
	}
	return *v, nil
}

// bindVersioned decodes a request body that carries a "version" (req must declare it) and
// returns the version.
func bindVersioned(c echo.Context, req any) (int, error) {
	var raw json.RawMessage
	if err := bindJSON(c, &raw); err != nil {
		return 0, err
	}
	if err := decodeStrict(bytes.NewReader(raw), req); err != nil {
		return 0, err
	}
	var v struct {
		Version *int `json:"version"`
	}
	_ = json.Unmarshal(raw, &v) // req decoded, so the version is an integer or absent
	return needVersion(v.Version)
}
