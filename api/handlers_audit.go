package api

import (
	"net/http"

	"github.com/ringtrace/ringtrace/api/audit"
	"github.com/ringtrace/ringtrace/graph"
)

// record writes the audit record of the request; the response must not be sent if it fails.
func (s *Server) record(r *request, action string, refs []graph.Ref, detail string) error {
	return s.svc.Audit.Append(r.ctx(), r.actor.Record(action, refs, detail))
}

// recorded writes the audit record of the request and then the JSON response: data leaves only
// with its trace.
func (s *Server) recorded(r *request, action string, refs []graph.Ref, detail string, status int, body any) error {
	if err := s.record(r, action, refs, detail); err != nil {
		return err
	}
	return r.JSON(status, body)
}

// recordedNoContent is recorded for a response without a body.
func (s *Server) recordedNoContent(r *request, action, detail string) error {
	if err := s.record(r, action, nil, detail); err != nil {
		return err
	}
	return r.NoContent(http.StatusNoContent)
}

// recordPublic writes the audit record of an anonymous request. The client address is not
// recorded: on the whistle-blower's routes it could identify the reporter.
func (s *Server) recordPublic(r *request, action, detail string) error {
	return s.svc.Audit.Append(r.ctx(), audit.Record{Actor: "(public)", Action: action, RequestID: requestID(r), Detail: detail})
}

func (s *Server) queryAudit(r *request) error {
	from, to, err := timeRange(r)
	if err != nil {
		return err
	}
	offset, limit, err := pageParams(r, 10_000_000)
	if err != nil {
		return err
	}
	q := audit.Query{Actor: r.QueryParam("actor"), Action: r.QueryParam("action"), Entity: r.QueryParam("entity"), From: from, To: to, Offset: offset, Limit: limit}
	recs, total, err := s.svc.Audit.Query(q)
	if err != nil {
		return err
	}
	// Reading the trail is itself an access to personal data (its entity lists).
	return s.recorded(r, "read_audit", nil, "", http.StatusOK, map[string]any{"records": recs, "total": total})
}

func (s *Server) verifyAudit(r *request) error {
	v, err := s.svc.Audit.Verify()
	if err != nil {
		return err
	}
	return r.JSON(http.StatusOK, v)
}
