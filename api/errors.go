package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ringtrace/ringtrace/api/bilingual"
	"github.com/ringtrace/ringtrace/graph"
)

// userErr and fieldErr are the handlers' short names for the bilingual errors the core returns.
var (
	userErr  = bilingual.New
	fieldErr = bilingual.Field
)

// errorBody is the JSON error shape: {"error":{"code","field","message"}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string `json:"code"`
	Field     string `json:"field,omitempty"`
	Message   string `json:"message"`
	MessageEN string `json:"message_en,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// statuses maps application error codes to HTTP statuses. It is the one place where codes meet
// HTTP; a code not listed is an internal error (500).
var statuses = map[string]int{
	graph.EINVALID:      http.StatusBadRequest,
	graph.ENOTFOUND:     http.StatusNotFound,
	graph.EFORBIDDEN:    http.StatusForbidden,
	graph.EUNAUTHORIZED: http.StatusUnauthorized,
	graph.ECONFLICT:     http.StatusConflict,
	graph.EUNAVAILABLE:  http.StatusServiceUnavailable,
	graph.ETOOMANY:      http.StatusTooManyRequests,
}

func statusOf(code string) int {
	if st, ok := statuses[code]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// echoErrors are the details of echo's own errors: unknown route, bad method, body too large.
var echoErrors = map[int]errorDetail{
	http.StatusNotFound:              {Code: graph.ENOTFOUND, Message: "没有这个地址", MessageEN: "no such route"},
	http.StatusMethodNotAllowed:      {Code: graph.EINVALID, Message: "不支持该方法", MessageEN: "method not allowed"},
	http.StatusRequestEntityTooLarge: {Code: graph.EINVALID, Field: "body", Message: "请求体过大", MessageEN: "request body too large"},
	http.StatusServiceUnavailable:    {Code: graph.EUNAVAILABLE, Message: "服务繁忙，请稍后重试", MessageEN: "service busy, retry later"},
}

// classify turns any error into (status, body detail). Context errors become 503 because a
// request that ran out of time or was cut by shutdown is a capacity problem, not a bug.
func classify(err error) (int, errorDetail) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		if d, ok := echoErrors[he.Code]; ok {
			return he.Code, d
		}
		if he.Code == http.StatusBadRequest {
			return he.Code, errorDetail{Code: graph.EINVALID, Message: "请求格式错误", MessageEN: fmt.Sprint(he.Message)}
		}
	}
	if errors.Is(err, context.DeadlineExceeded) && graph.ErrorCode(err) == graph.EINTERNAL {
		return http.StatusServiceUnavailable, errorDetail{Code: graph.EUNAVAILABLE, Message: "查询超时，请缩小范围或稍后重试", MessageEN: "query timed out; narrow it or retry later"}
	}
	if errors.Is(err, context.Canceled) && graph.ErrorCode(err) == graph.EINTERNAL {
		return http.StatusServiceUnavailable, errorDetail{Code: graph.EUNAVAILABLE, Message: "请求已取消", MessageEN: "request cancelled"}
	}
	code := graph.ErrorCode(err)
	d := errorDetail{Code: code, Field: graph.ErrorField(err), Message: graph.ErrorMessage(err), MessageEN: bilingual.English(err)}
	if code == graph.EUNAVAILABLE && d.MessageEN == "" {
		d.MessageEN = "the graph database is unavailable; retry later"
		if d.Message == "" {
			d.Message = "图数据库暂不可用，请稍后重试"
		}
	}
	if d.MessageEN == "" {
		// Store errors carry one message (often "中文 / English"); show it in both slots.
		d.MessageEN = d.Message
	}
	if code == graph.EINTERNAL {
		d.Message, d.MessageEN = "内部错误，已记录", "internal error; it has been logged"
	}
	return statusOf(code), d
}

// withChinese gives the plain errors of the intake and blacklist stores (English only) a Chinese
// message first, so that they read like the rest.
func withChinese(err error) error {
	var ge *graph.Error
	if !errors.As(err, &ge) || bilingual.English(err) != "" {
		return err
	}
	zh := map[string]string{
		graph.EINVALID: "输入无效", graph.ENOTFOUND: "未找到", graph.ECONFLICT: "状态冲突",
	}[ge.Code]
	if zh == "" {
		return err
	}
	if ge.Field != "" {
		return fieldErr(ge.Field, zh+"（"+ge.Field+"）："+ge.Message, ge.Field+": "+ge.Message)
	}
	return userErr(ge.Code, zh+"："+ge.Message, ge.Message)
}

// errorHandler is echo's HTTPErrorHandler: it writes the JSON error and logs internal errors
// once, with the request id and without personal data (only the route pattern is logged).
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, d := classify(err)
	d.RequestID = requestID(c)
	if status >= 500 && d.Code == graph.EINTERNAL {
		s.log.Error("internal error", "request_id", d.RequestID, "route", c.Path(), "method", c.Request().Method, "err", err)
	} else if status == http.StatusServiceUnavailable && !errors.Is(err, errBusy) {
		s.log.Warn("unavailable", "request_id", d.RequestID, "route", c.Path(), "err", err)
	}
	if status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests {
		if c.Response().Header().Get("Retry-After") == "" {
			c.Response().Header().Set("Retry-After", "1")
		}
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if werr := c.JSON(status, errorBody{Error: d}); werr != nil {
		s.log.Debug("write error response", "err", werr)
	}
}
