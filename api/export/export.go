package export

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/audit"
	"github.com/ringtrace/ringtrace/api/bilingual"
	"github.com/ringtrace/ringtrace/api/cases"
	"github.com/ringtrace/ringtrace/api/jobs"
	"github.com/ringtrace/ringtrace/api/referral"
	"github.com/ringtrace/ringtrace/graph"
)

// Bounds of one referral package. A package must stay printable and openable on a police
// workstation; a case larger than this is split by the investigators into attachments.
const (
	maxReferralClaimsPerParty = 2000
	maxReferralGraphNodes     = 1500
)

// Graph is what a referral reads from the claims graph. Both graph stores satisfy it.
type Graph interface {
	Node(ctx context.Context, ref graph.Ref) (graph.Node, error)
	Claims(ctx context.Context, q graph.ClaimQuery) ([]graph.Claim, int, error)
}

// claimLookup is the one graph read beyond Graph that a referral needs: attached claims are
// read by id. Both graph/embedded and graph/neo4j implement it (graph.Lookup).
type claimLookup interface {
	Claim(ctx context.Context, id string) (graph.Claim, error)
}

// Input is what a package is assembled from: the case, and the job and findings it came from
// (nil for a case opened on an entity or from a whistle-blower report).
type Input struct {
	Case     cases.Case
	Job      *jobs.Job
	Findings *graph.Findings
}

// FromJobs returns the input of case c with the job and findings it came from, as the running
// service holds them; a job that is gone or did not succeed leaves them nil.
func FromJobs(c cases.Case, js *jobs.Jobs) (Input, error) {
	in := Input{Case: c}
	if c.JobID == "" {
		return in, nil
	}
	job, err := js.Get(c.JobID)
	if err != nil {
		if graph.ErrorCode(err) == graph.ENOTFOUND {
			return in, nil
		}
		return in, err
	}
	in.Job = &job
	ix, err := js.Findings(c.JobID)
	if err != nil {
		if code := graph.ErrorCode(err); code == graph.ENOTFOUND || code == graph.ECONFLICT {
			return in, nil
		}
		return in, err
	}
	in.Findings = &ix.Findings
	return in, nil
}

var zhTransfer = map[string]string{cases.TransferPolice: "公安机关", cases.TransferAdministrative: "医疗保障行政部门"}

var zhPartyType = map[graph.EntityType]string{
	graph.TypePatient: "参保人员", graph.TypeDoctor: "医保医师", graph.TypeInstitution: "定点医疗机构", graph.TypePharmacy: "定点零售药店",
}

// assemble builds the referral.Case of a transferred case from the case record, the graph
// store (complete party records and claims — police are the recipient the law names) and the
// detection findings. It takes nothing from the intake store: a whistle-blower cannot appear in
// a package because nothing here reads reports.
func assemble(ctx context.Context, store Graph, in Input) (referral.Case, error) {
	c := in.Case
	out := referral.Case{
		ID: c.ID, Title: c.Title, Status: string(c.Status), TransferredTo: zhTransfer[c.TransferTo], Summary: c.Summary,
		OpenedAt: c.OpenedAt, TransferredAt: c.TransferredAt,
	}
	for _, st := range c.Steps() {
		out.Procedure = append(out.Procedure, referral.ProcedureStep{Kind: st.Kind, Label: st.Label, Date: st.Date, Detail: st.Detail, Amount: st.Amount})
	}
	var ring *graph.Ring
	if in.Findings != nil && c.RingID != "" {
		// A case may have been opened from a ring or from a lead.
		for _, list := range [][]graph.Ring{in.Findings.Rings, in.Findings.Leads} {
			for i := range list {
				if list[i].ID == c.RingID {
					ring = &list[i]
					break
				}
			}
		}
	}
	// Parties: the case's parties, party attachments and, for a ring case, the ring's members.
	var partyRefs []graph.Ref
	partyRefs = append(partyRefs, c.Parties...)
	var claimRefs []string
	for _, a := range c.Attachments {
		switch {
		case a.Type.IsParty():
			partyRefs = append(partyRefs, a)
		case a.Type == graph.TypeClaim:
			claimRefs = append(claimRefs, a.ID)
		}
	}
	inRing := map[graph.Ref]bool{}
	if ring != nil {
		partyRefs = append(partyRefs, ring.Members...)
		for _, m := range ring.Members {
			inRing[m] = true
		}
	}
	partyRefs = cases.DedupRefs(partyRefs)
	nodes := map[graph.Ref]graph.Node{}
	for _, ref := range partyRefs {
		if !ref.Type.IsParty() {
			continue
		}
		n, err := store.Node(ctx, ref)
		if err != nil {
			if graph.ErrorCode(err) != graph.ENOTFOUND {
				return referral.Case{}, fmt.Errorf("party %s: %w", ref, err)
			}
			n = graph.Node{Ref: ref, Label: ref.ID}
		}
		nodes[ref] = n
		out.Parties = append(out.Parties, partyOf(n, inRing[ref]))
	}
	// Claims: the attached ones when investigators attached claims as evidence; otherwise the
	// claims that tie the patient parties to the other parties (the same rule the ring picture of
	// the workbench uses), so the list is the scheme and not every visit of every person.
	claims, err := referralClaims(ctx, store, partyRefs, claimRefs)
	if err != nil {
		return referral.Case{}, err
	}
	out.Claims = claims
	if ring != nil {
		out.Rings = []graph.Ring{*ring}
		out.Region = ring.Region
	}
	if in.Findings != nil {
		want := map[graph.Ref]bool{}
		for _, r := range partyRefs {
			want[r] = true
		}
		for _, e := range in.Findings.Entities {
			if want[graph.Ref{Type: e.Type, ID: e.ID}] {
				out.Risks = append(out.Risks, e)
			}
		}
	}
	if out.Region == "" {
		for _, p := range out.Parties {
			if p.Region != "" {
				out.Region = p.Region
				break
			}
		}
	}
	out.Method = methodText(c, in.Job, in.Findings, ring)
	out.Subgraph, err = referralSubgraph(ctx, store, nodes, partyRefs, claims)
	if err != nil {
		return referral.Case{}, err
	}
	for _, ev := range c.History {
		out.History = append(out.History, referral.HistoryEntry{At: ev.At, Actor: ev.By, Role: string(ev.Role), Action: ev.Action, From: ev.From, To: ev.To, Note: ev.Detail})
	}
	return out, nil
}

func partyOf(n graph.Node, inRing bool) referral.Party {
	p := referral.Party{Type: n.Type, ID: n.ID, Name: n.Props["name"], Sex: n.Props["sex"], Phone: n.Props["phone"],
		Address: n.Props["address"], Region: n.Props["region"]}
	p.BirthDate = propDate(n.Props["birth_date"])
	role := zhPartyType[n.Type]
	if n.Type == graph.TypeDoctor && n.Props["institution_id"] != "" {
		role += "（执业机构 " + n.Props["institution_id"] + "）"
	}
	if inRing {
		role = "疑点团伙成员 · " + role
	} else {
		role = "案件当事方 · " + role
	}
	p.Role = role
	return p
}

// propDate reads a date property as the stores write it ("2006-01-02" in the embedded store,
// RFC 3339 elsewhere); zero when absent or unreadable.
func propDate(v string) time.Time {
	for _, layout := range []string{"2006-01-02", time.RFC3339Nano, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t
		}
	}
	return time.Time{}
}

func referralClaims(ctx context.Context, store Graph, parties []graph.Ref, attached []string) ([]graph.Claim, error) {
	var out []graph.Claim
	if len(attached) > 0 {
		cl, ok := store.(claimLookup)
		if !ok {
			return nil, fmt.Errorf("referral: the graph store cannot read claims by id")
		}
		sort.Strings(attached)
		for _, id := range attached {
			c, err := cl.Claim(ctx, id)
			if err != nil {
				if graph.ErrorCode(err) == graph.ENOTFOUND {
					continue
				}
				return nil, fmt.Errorf("claim %s: %w", id, err)
			}
			out = append(out, c)
		}
		sortClaims(out)
		return out, nil
	}
	var all []graph.Claim
	for _, p := range parties {
		if p.Type != graph.TypePatient {
			continue
		}
		cs, _, err := store.Claims(ctx, graph.ClaimQuery{Party: p, Limit: maxReferralClaimsPerParty})
		if err != nil {
			return nil, fmt.Errorf("claims of %s: %w", p, err)
		}
		all = append(all, cs...)
	}
	if len(parties) == 1 && parties[0].Type == graph.TypePatient {
		out = all // a case on one insured person: all of their claims are the matter
	} else {
		out = jobs.TyingClaims(parties, all)
	}
	sortClaims(out)
	return out, nil
}

func sortClaims(cs []graph.Claim) {
	sort.SliceStable(cs, func(i, j int) bool {
		if !cs[i].Start.Equal(cs[j].Start) {
			return cs[i].Start.Before(cs[j].Start)
		}
		return cs[i].ID < cs[j].ID
	})
}

// referralSubgraph draws the parties, the claims and the claims' providers and doctors.
func referralSubgraph(ctx context.Context, store Graph, known map[graph.Ref]graph.Node, parties []graph.Ref, claims []graph.Claim) (graph.Subgraph, error) {
	g := graph.Subgraph{Nodes: []graph.Node{}, Edges: []graph.Edge{}}
	seen := map[graph.Ref]bool{}
	add := func(ref graph.Ref, n *graph.Node) (bool, error) {
		if seen[ref] {
			return true, nil
		}
		if len(g.Nodes) >= maxReferralGraphNodes {
			g.Truncated = true
			return false, nil
		}
		var node graph.Node
		switch {
		case n != nil:
			node = *n
		default:
			if k, ok := known[ref]; ok {
				node = k
			} else {
				got, err := store.Node(ctx, ref)
				if err != nil && graph.ErrorCode(err) != graph.ENOTFOUND {
					return false, fmt.Errorf("node %s: %w", ref, err)
				}
				if err != nil {
					got = graph.Node{Ref: ref, Label: ref.ID}
				}
				node = got
			}
		}
		seen[ref] = true
		g.Nodes = append(g.Nodes, node)
		return true, nil
	}
	for _, p := range parties {
		if _, err := add(p, nil); err != nil {
			return g, err
		}
	}
	for _, c := range claims {
		cref := graph.Ref{Type: graph.TypeClaim, ID: c.ID}
		cn := graph.Node{Ref: cref, Label: c.ID, Props: map[string]string{
			"patient_id": c.PatientID, "provider_id": c.ProviderID, "claim_type": string(c.Type),
			"start_time": c.Start.UTC().Format(time.RFC3339), "fund_amount": c.FundAmount.String(), "total_amount": c.TotalAmount.String(),
		}}
		ok, err := add(cref, &cn)
		if err != nil {
			return g, err
		}
		if !ok {
			break
		}
		pat := graph.Ref{Type: graph.TypePatient, ID: c.PatientID}
		if ok, err := add(pat, nil); err != nil {
			return g, err
		} else if ok {
			g.Edges = append(g.Edges, graph.Edge{From: pat, To: cref, Type: graph.RelFiled})
		}
		prov := graph.Ref{Type: c.ProviderType, ID: c.ProviderID}
		if ok, err := add(prov, nil); err != nil {
			return g, err
		} else if ok {
			g.Edges = append(g.Edges, graph.Edge{From: cref, To: prov, Type: graph.RelAt})
		}
		if c.DoctorID != "" {
			doc := graph.Ref{Type: graph.TypeDoctor, ID: c.DoctorID}
			if ok, err := add(doc, nil); err != nil {
				return g, err
			} else if ok {
				g.Edges = append(g.Edges, graph.Edge{From: cref, To: doc, Type: graph.RelTreatedBy})
			}
		}
	}
	return g, nil
}

// methodText says how the case was found, with what software and parameters, so that the
// finding can be reproduced (and challenged) by the recipient.
func methodText(c cases.Case, job *jobs.Job, f *graph.Findings, ring *graph.Ring) string {
	var b strings.Builder
	if job == nil {
		fmt.Fprintf(&b, "人工立案：由 %s 于 %s 依据当事方 %s 建立线索，经核查后立案并移送。", c.CreatedBy,
			c.CreatedAt.In(cases.ChinaTime).Format("2006-01-02 15:04"), strings.Join(audit.Entities(c.Parties), "、"))
		return b.String()
	}
	fmt.Fprintf(&b, "自动检测：检测任务 %s（由 %s 于 %s 发起", job.ID, job.CreatedBy, job.CreatedAt.In(cases.ChinaTime).Format("2006-01-02 15:04"))
	if !job.FinishedAt.IsZero() {
		fmt.Fprintf(&b, "，%s 完成", job.FinishedAt.In(cases.ChinaTime).Format("2006-01-02 15:04"))
	}
	b.WriteString("）")
	if job.Snapshot != nil {
		fmt.Fprintf(&b, "，数据快照：%s 存储", job.Snapshot.Store)
		if n := job.Snapshot.Counts.Nodes; n != nil {
			fmt.Fprintf(&b, "，参保人员 %d 人、结算单 %d 张", n[graph.TypePatient], n[graph.TypeClaim])
		}
		fmt.Fprintf(&b, "，参数摘要 SHA-256 %s", job.Snapshot.ParamsSHA256)
	}
	if f != nil && f.Version != "" {
		fmt.Fprintf(&b, "，检测程序版本 %s", f.Version)
	}
	b.WriteString("。")
	if ring != nil {
		fmt.Fprintf(&b, "疑点团伙 %s（类型 %s）由该任务发现，风险评分 %.2f。", ring.ID, ring.Kind, ring.Score)
	} else if c.RingID != "" {
		fmt.Fprintf(&b, "疑点团伙 %s 的检测结果已不可用。", c.RingID)
	}
	if len(job.Params) > 0 {
		var compact bytes.Buffer
		if json.Compact(&compact, job.Params) == nil {
			b.WriteString("完整参数：" + compact.String())
		}
	}
	return b.String()
}

// Build assembles and signs the package of in.Case and returns its bytes, its manifest and the
// SHA-256 of manifest.json (the digest the audit record carries).
func Build(ctx context.Context, store Graph, in Input, key referral.PrivateKey, meta referral.Meta) ([]byte, referral.Manifest, string, error) {
	rc, err := assemble(ctx, store, in)
	if err != nil {
		return nil, referral.Manifest{}, "", fmt.Errorf("assemble referral of %s: %w", in.Case.ID, err)
	}
	var buf bytes.Buffer
	man, err := referral.Build(&buf, rc, meta, key)
	if err != nil {
		return nil, referral.Manifest{}, "", fmt.Errorf("build referral of %s: %w", in.Case.ID, err)
	}
	digest, err := manifestDigest(buf.Bytes())
	if err != nil {
		return nil, referral.Manifest{}, "", err
	}
	return buf.Bytes(), man, digest, nil
}

// manifestDigest returns the SHA-256 of manifest.json exactly as stored in the package.
func manifestDigest(pkg []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		return "", fmt.Errorf("read built package: %w", err)
	}
	for _, f := range zr.File {
		if f.Name != referral.FileManifest {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return "", err
		}
		defer rc.Close()
		h := sha256.New()
		if _, err := io.Copy(h, rc); err != nil {
			return "", err
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	}
	return "", fmt.Errorf("built package has no %s", referral.FileManifest)
}

// Check applies the export rule: only a transferred case; a supervisor for either destination,
// police only for a case transferred to police (to others that case is not found).
func Check(a accounts.Actor, c cases.Case) error {
	if c.Status != cases.StatusTransferred {
		return bilingual.New(graph.ECONFLICT, "只有处于「移送」状态的案件可以导出移送证据包", "only a transferred case can be exported")
	}
	switch a.Role {
	case accounts.RoleSupervisor:
		return nil
	case accounts.RolePolice:
		if c.TransferTo == cases.TransferPolice {
			return nil
		}
		return cases.ErrNotFound
	}
	return bilingual.New(graph.EFORBIDDEN, "您的角色无权导出移送证据包", "your role may not export referral packages")
}
