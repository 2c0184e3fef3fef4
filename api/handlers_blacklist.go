package api

import (
	"net/http"

	"github.com/ringtrace/ringtrace/api/blacklist"
	"github.com/ringtrace/ringtrace/graph"
)

// The blacklist (黑名单) of parties confirmed in closed cases.

func (s *Server) listBlacklist(r *request) error {
	activeOnly, err := boolParam(r, "active")
	if err != nil {
		return err
	}
	var only *graph.Ref
	if r.QueryParam("entity") != "" {
		ref, err := s.refParam(r, "entity")
		if err != nil {
			return err
		}
		only = &ref
	}
	now := s.cfg.Now()
	es, err := s.svc.Blacklist.List(r.ctx(), activeOnly != nil && *activeOnly, now)
	if err != nil {
		return err
	}
	v := s.viewer(r.actor)
	out := []blacklistView{}
	var refs []graph.Ref
	for _, e := range es {
		if only != nil && e.Entity != *only {
			continue
		}
		refs = append(refs, e.Entity)
		out = append(out, blacklistViewOf(v, e, e.ActiveAt(now)))
	}
	return s.recorded(r, "list_blacklist", refs, "", http.StatusOK, map[string]any{"entries": out, "total": len(out)})
}

func (s *Server) addBlacklist(r *request) error {
	var req blacklistRequest
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	if req.Entity == nil {
		return fieldErr("entity", "需指定实体", "entity is required")
	}
	ref, err := s.resolveRef("entity", req.Entity.Type, req.Entity.ID)
	if err != nil {
		return err
	}
	if len([]rune(req.Reason)) > 2000 {
		return fieldErr("reason", "理由过长", "reason too long")
	}
	from, err := parseTime("from", req.From)
	if err != nil {
		return err
	}
	until, err := parseTime("until", req.Until)
	if err != nil {
		return err
	}
	now := s.cfg.Now().UTC()
	if from.IsZero() {
		from = now
	}
	e, err := s.svc.Blacklist.Add(r.ctx(), blacklist.Entry{Entity: ref, Reason: req.Reason, CaseID: req.CaseID, From: from.UTC(), Until: until.UTC(), ListedBy: r.actor.Username, ListedAt: now})
	if err != nil {
		return withChinese(err)
	}
	return s.recorded(r, "blacklist_add", []graph.Ref{ref}, "entry "+e.ID+" case "+e.CaseID, http.StatusCreated, blacklistView{Entry: e, Active: e.ActiveAt(now)})
}

func (s *Server) removeBlacklist(r *request) error {
	now := s.cfg.Now().UTC()
	e, err := s.svc.Blacklist.Remove(r.ctx(), r.Param("id"), r.actor.Username, now)
	if err != nil {
		return withChinese(err)
	}
	return s.recorded(r, "blacklist_remove", []graph.Ref{e.Entity}, "entry "+e.ID, http.StatusOK, blacklistView{Entry: e, Active: e.ActiveAt(now)})
}
