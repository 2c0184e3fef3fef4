package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/ringtrace/ringtrace/graph"
)

// bilingual is a user-facing error with an English text beside the Chinese one. It unwraps to
// the *graph.Error that carries the code, so graph.ErrorCode and friends see through it.
type bilingual struct {
	err *graph.Error
	en  string
}

func (b *bilingual) Error() string { return b.err.Error() }
func (b *bilingual) Unwrap() error { return b.err }

// userErr returns an error a user reads: code, Chinese message and English message.
func userErr(code, zh, en string) error {
	return &bilingual{err: &graph.Error{Code: code, Message: zh}, en: en}
}

// fieldErr returns an EINVALID error about one input field.
func fieldErr(field, zh, en string) error {
	return &bilingual{err: &graph.Error{Code: graph.EINVALID, Field: field, Message: zh}, en: en}
}

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

// statusOf maps an application error code to its HTTP status. It is the one place where codes
// meet HTTP.
func statusOf(code string) int {
	switch code {
	case graph.EINVALID:
		return http.StatusBadRequest
	case graph.ENOTFOUND:
		return http.StatusNotFound
	case graph.EFORBIDDEN:
		return http.StatusForbidden
	case graph.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case graph.ECONFLICT:
		return http.StatusConflict
	case graph.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	case graph.ETOOMANY:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// classify turns any error into (status, body detail). Context errors become 503 because a
// request that ran out of time or was cut by shutdown is a capacity problem, not a bug.
func classify(err error) (int, errorDetail) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		// echo's own errors: unknown route, bad method, body too large.
		switch he.Code {
		case http.StatusNotFound:
			return he.Code, errorDetail{Code: graph.ENOTFOUND, Message: "没有这个地址", MessageEN: "no such route"}
		case http.StatusMethodNotAllowed:
			return he.Code, errorDetail{Code: graph.EINVALID, Message: "不支持该方法", MessageEN: "method not allowed"}
		case http.StatusRequestEntityTooLarge:
			return he.Code, errorDetail{Code: graph.EINVALID, Field: "body", Message: "请求体过大", MessageEN: "request body too large"}
		case http.StatusServiceUnavailable:
			return he.Code, errorDetail{Code: graph.EUNAVAILABLE, Message: "服务繁忙，请稍后重试", MessageEN: "service busy, retry later"}
		case http.StatusBadRequest:
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
	d := errorDetail{Code: code, Field: graph.ErrorField(err), Message: graph.ErrorMessage(err)}
	var b *bilingual
	if errors.As(err, &b) {
		d.MessageEN = b.en
	}
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
