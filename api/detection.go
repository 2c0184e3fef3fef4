package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// strictUnmarshal decodes JSON parameters into v refusing unknown keys, with the offending key
// as the error field. cmd/ringtrace uses it to merge user parameters over the defaults.
func strictUnmarshal(b []byte, v any) error {
	if len(bytes.TrimSpace(b)) == 0 || string(bytes.TrimSpace(b)) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var ute *json.UnmarshalTypeError
		msg := err.Error()
		switch {
		case errors.As(err, &ute):
			return fieldErr("params."+ute.Field, "参数 "+ute.Field+" 类型错误", "parameter "+ute.Field+" has the wrong type")
		case strings.HasPrefix(msg, "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
			return fieldErr("params."+f, "未知参数 "+f, "unknown parameter "+f)
		}
		return fieldErr("params", "参数不是有效的 JSON 对象", "params is not a valid JSON object")
	}
	return nil
}

// StrictParams is strictUnmarshal for cmd/ringtrace: it decodes user parameters over v (already
// holding the defaults) and refuses unknown keys with an EINVALID error naming the key.
func StrictParams(user json.RawMessage, v any) error { return strictUnmarshal(user, v) }
