package referral

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/ringtrace/ringtrace/graph"
)

// Report text. The report is for the public security bureau and is in Chinese; English appears only
// in identifiers and codes.
var (
	zhStatus = map[string]string{
		"lead": "线索", "verification": "核查", "opened": "立案", "transferred": "移送", "closed": "结案",
	}
	zhType = map[graph.EntityType]string{
		graph.TypePatient: "参保人员", graph.TypeDoctor: "医保医师", graph.TypeInstitution: "定点医疗机构",
		graph.TypePharmacy: "定点零售药店", graph.TypeClaim: "结算单", graph.TypePhone: "电话",
		graph.TypeAddress: "住址", graph.TypeTerminal: "终端",
	}
	zhClaimType = map[graph.ClaimType]string{
		graph.ClaimOutpatient: "门诊", graph.ClaimInpatient: "住院", graph.ClaimPharmacy: "购药",
	}
	zhKind = map[string]string{
		graph.KindCollusionRing: "串通就医团伙", graph.KindCardLending: "借卡/冒名就医",
		graph.KindPharmacyCardCollection: "药店聚敛盗刷", graph.KindDeceasedClaims: "死亡人员发生费用",
		graph.KindScreeningRule: "筛查规则命中", graph.KindGhostHospitalization: "虚假住院/挂床", graph.KindBillingRule: "费用明细违规",
	}
	zhSex  = map[string]string{"M": "男", "F": "女"}
	zhRole = map[string]string{
		"analyst": "数据分析员", "investigator": "稽核调查员", "supervisor": "科室负责人",
		"police": "公安联络员", "admin": "系统管理员", "intake": "举报受理员",
	}
	zhTransfer = map[string]string{"police": "公安机关", "administrative": "行政部门"}
	zhAction   = map[string]string{
		"create": "创建", "assign": "指派", "transition": "流转", "note": "添加记录", "attach": "添加证据",
		"extension": "延期", "extension_request": "申请延期", "extension_approve": "批准延期",
		"extension_reject": "驳回延期", "recusal": "回避",
	}
)

// person names a user by display name, with the username after it: "陈警官（pol_chen）".
func (r *report) person(username string) string {
	if n := r.names[username]; n != "" && n != username {
		return n + "（" + username + "）"
	}
	return username
}

func zh[K comparable](m map[K]string, k K) string {
	if v, ok := m[k]; ok {
		return v
	}
	return fmt.Sprint(k)
}

// yuan formats an amount the Chinese way: ¥1,234.50.
func yuan(m graph.Money) string {
	s := m.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := "¥" + b.String() + "." + frac
	if neg {
		out = "-" + out
	}
	return out
}

type report struct {
	pdf   *fpdf.Fpdf
	c     Case
	names map[string]string // username → display name
}

const (
	pageW   = 210.0
	marginL = 15.0
	marginR = 15.0
	bodyW   = pageW - marginL - marginR
	font    = "wqy"
)

// RenderReport renders the case as an A4 PDF in Chinese with the CJK font embedded.
func RenderReport(c Case, meta Meta) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(marginL, 15, marginR)
	pdf.SetAutoPageBreak(true, 18)
	pdf.AddUTF8FontFromBytes(font, "", cjkFont)
	pdf.SetTitle("医保基金案件移送材料 "+c.ID, true)
	pdf.SetAuthor(meta.ExportedBy, true)
	pdf.SetCreator(meta.Software, true)
	pdf.SetCreationDate(meta.ExportedAt)
	pdf.SetModificationDate(meta.ExportedAt)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont(font, "", 8)
		pdf.SetTextColor(110, 110, 110)
		pdf.CellFormat(bodyW/2, 5, "案件编号 "+c.ID+" · 完整性以 manifest.json 签名为准", "", 0, "L", false, 0, "")
		pdf.CellFormat(bodyW/2, 5, fmt.Sprintf("第 %d 页 / 共 {nb} 页", pdf.PageNo()), "", 0, "R", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	r := &report{pdf: pdf, c: c, names: meta.Names}
	pdf.AddPage()
	r.cover(meta)
	r.parties()
	r.amounts()
	r.method()
	r.picture()
	r.timeline()
	r.claims()
	r.history()
	r.procedure()
	if err := pdf.Error(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (r *report) heading(text string) {
	p := r.pdf
	if p.GetY() > 250 {
		p.AddPage()
	}
	p.Ln(3)
	p.SetFont(font, "", 13)
	p.SetFillColor(230, 236, 245)
	p.CellFormat(bodyW, 8, text, "", 1, "L", true, 0, "")
	p.Ln(1)
	p.SetFont(font, "", 9.5)
}

func (r *report) para(text string) {
	r.pdf.SetFont(font, "", 9.5)
	r.lines(marginL, bodyW, 5, text)
}

// lines writes text from x over width w, wrapped at the width by its measured runes (Chinese has
// no spaces to break at) and at newlines, one line height h each. fpdf's MultiCell drops the
// character at a wrap in CJK text set in a UTF-8 font; this wrap writes every rune once.
func (r *report) lines(x, w, h float64, text string) {
	for _, l := range r.wrap(text, w-1) {
		r.pdf.SetX(x)
		r.pdf.CellFormat(w, h, l, "", 1, "L", false, 0, "")
	}
}

// wrap splits text into lines no wider than w, breaking between runes; a break prefers the last
// space or CJK punctuation of the line when there is one in its second half.
func (r *report) wrap(text string, w float64) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		rs := []rune(para)
		if len(rs) == 0 {
			out = append(out, "")
			continue
		}
		for len(rs) > 0 {
			n := len(rs)
			for n > 1 && r.pdf.GetStringWidth(string(rs[:n])) > w {
				n--
			}
			if n < len(rs) {
				for i := n - 1; i > n/2; i-- {
					if rs[i] == ' ' || strings.ContainsRune("，。；、：）", rs[i]) {
						n = i + 1
						break
					}
				}
			}
			out = append(out, strings.TrimRight(string(rs[:n]), " "))
			rs = rs[n:]
		}
	}
	return out
}

// kv writes label/value rows.
func (r *report) kv(rows [][2]string) {
	p := r.pdf
	for _, kv := range rows {
		p.SetFont(font, "", 9.5)
		p.SetTextColor(80, 80, 80)
		p.CellFormat(32, 6, kv[0], "", 0, "L", false, 0, "")
		p.SetTextColor(0, 0, 0)
		r.lines(marginL+32, bodyW-32, 6, kv[1])
	}
}

// table writes a table with fixed column widths; cell text that does not fit is shortened with "…".
func (r *report) table(header []string, widths []float64, rows [][]string) {
	p := r.pdf
	p.SetFont(font, "", 8)
	drawHeader := func() {
		p.SetFillColor(240, 240, 240)
		for i, h := range header {
			p.CellFormat(widths[i], 6, r.fit(h, widths[i]), "1", 0, "C", true, 0, "")
		}
		p.Ln(-1)
	}
	drawHeader()
	for _, row := range rows {
		if p.GetY() > 272 {
			p.AddPage()
			p.SetFont(font, "", 8)
			drawHeader()
		}
		for i, cell := range row {
			p.CellFormat(widths[i], 5.5, r.fit(cell, widths[i]), "1", 0, "L", false, 0, "")
		}
		p.Ln(-1)
	}
	if len(rows) == 0 {
		p.CellFormat(sum(widths), 6, "（无）", "1", 1, "C", false, 0, "")
	}
}

func sum(ws []float64) float64 {
	t := 0.0
	for _, w := range ws {
		t += w
	}
	return t
}

func (r *report) fit(s string, w float64) string {
	limit := w - 1.5
	if r.pdf.GetStringWidth(s) <= limit {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 && r.pdf.GetStringWidth(string(rs)+"…") > limit {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

func (r *report) cover(meta Meta) {
	p, c := r.pdf, r.c
	p.SetFont(font, "", 18)
	p.CellFormat(bodyW, 12, "医疗保障基金欺诈骗保案件移送材料", "", 1, "C", false, 0, "")
	p.SetFont(font, "", 10)
	p.CellFormat(bodyW, 6, "（移送公安机关 · 证据包附报告）", "", 1, "C", false, 0, "")
	p.Ln(4)
	r.heading("一、案件概要")
	r.kv([][2]string{
		{"案件编号", c.ID},
		{"案件名称", c.Title},
		{"当前状态", zh(zhStatus, c.Status)},
		{"移送对象", zh(zhTransfer, c.TransferredTo)},
		{"统筹区", c.Region},
		{"立案时间", beijing(c.OpenedAt)},
		{"移送时间", beijing(c.TransferredAt)},
		{"涉案人员/机构", fmt.Sprintf("%d 个", len(c.Parties))},
		{"涉案结算单", fmt.Sprintf("%d 张", len(c.Claims))},
		{"涉案金额(统筹支付)", yuan(c.FundTotal())},
		{"医疗总费用", yuan(c.Total())},
		{"导出人", r.person(meta.ExportedBy) + " · " + zh(zhRole, meta.ExportedRole)},
		{"导出时间", meta.ExportedAt.In(cst).Format("2006-01-02 15:04:05") + "（北京时间）"},
		{"软件版本", meta.Software},
	})
	if c.Summary != "" {
		p.Ln(2)
		r.para("案情摘要：" + c.Summary)
	}
}

func (r *report) parties() {
	r.heading("二、涉案当事人")
	rows := make([][]string, 0, len(r.c.Parties))
	for _, pt := range r.c.Parties {
		rows = append(rows, []string{zh(zhType, pt.Type), pt.ID, pt.Name, zh(zhSex, pt.Sex), date(pt.BirthDate), pt.Phone, pt.Address, pt.Role})
	}
	r.table([]string{"类别", "编号", "姓名/名称", "性别", "出生日期", "联系电话", "住址", "涉案角色"},
		[]float64{20, 28, 24, 10, 20, 24, 32, 22}, rows)
}

func (r *report) amounts() {
	r.heading("三、涉案金额汇总")
	type agg struct {
		n          int
		total, fnd graph.Money
	}
	byType := map[graph.ClaimType]*agg{}
	byProvider := map[string]*agg{}
	add := func(a *agg, cl graph.Claim) *agg {
		if a == nil {
			a = &agg{}
		}
		a.n++
		a.total += cl.TotalAmount
		a.fnd += cl.FundAmount
		return a
	}
	for _, cl := range r.c.Claims {
		byType[cl.Type] = add(byType[cl.Type], cl)
		byProvider[cl.ProviderID] = add(byProvider[cl.ProviderID], cl)
	}
	var rows [][]string
	for _, t := range []graph.ClaimType{graph.ClaimOutpatient, graph.ClaimInpatient, graph.ClaimPharmacy} {
		if a := byType[t]; a != nil {
			rows = append(rows, []string{zh(zhClaimType, t), fmt.Sprint(a.n), yuan(a.total), yuan(a.fnd)})
		}
	}
	rows = append(rows, []string{"合计", fmt.Sprint(len(r.c.Claims)), yuan(r.c.Total()), yuan(r.c.FundTotal())})
	r.table([]string{"就诊类型", "结算单数", "医疗总费用", "统筹支付金额"}, []float64{40, 30, 55, 55}, rows)
	r.pdf.Ln(2)
	providers := make([]string, 0, len(byProvider))
	for id := range byProvider {
		providers = append(providers, id)
	}
	sort.Slice(providers, func(i, j int) bool {
		if byProvider[providers[i]].fnd != byProvider[providers[j]].fnd {
			return byProvider[providers[i]].fnd > byProvider[providers[j]].fnd
		}
		return providers[i] < providers[j]
	})
	rows = rows[:0]
	for _, id := range providers {
		a := byProvider[id]
		rows = append(rows, []string{id, fmt.Sprint(a.n), yuan(a.total), yuan(a.fnd)})
	}
	r.table([]string{"医药机构编号", "结算单数", "医疗总费用", "统筹支付金额"}, []float64{40, 30, 55, 55}, rows)
}

func (r *report) method() {
	r.heading("四、发现方法与依据")
	if r.c.Method != "" {
		r.para("发现方法：" + r.c.Method)
	}
	for _, ring := range r.c.Rings {
		r.pdf.Ln(1)
		r.para(fmt.Sprintf("疑点团伙 %s（%s），风险评分 %.2f，成员 %d 个，涉及统筹基金 %s：",
			ring.ID, zh(zhKind, ring.Kind), ring.Score, len(ring.Members), yuan(ring.Amount)))
		for i, rs := range ring.Reasons {
			r.para(fmt.Sprintf("  %d. %s%s", i+1, rs.Text, valuesText(rs.Values)))
		}
	}
	for _, e := range r.c.Risks {
		if len(e.Reasons) == 0 {
			continue
		}
		r.pdf.Ln(1)
		r.para(fmt.Sprintf("%s %s 风险评分 %.2f：", zh(zhType, e.Type), e.ID, e.Score))
		for i, rs := range e.Reasons {
			r.para(fmt.Sprintf("  %d. %s%s", i+1, rs.Text, valuesText(rs.Values)))
		}
	}
	if len(r.c.Rings) == 0 && len(r.c.Risks) == 0 {
		r.para("（本案未附自动检测结果，依据见案件处理记录。）")
	}
}

func valuesText(v map[string]float64) string {
	if len(v) == 0 {
		return ""
	}
	return "（数据：" + values(v) + "）"
}

func (r *report) timeline() {
	r.heading("六、时间线（按日汇总）")
	type day struct {
		n   int
		fnd graph.Money
		ps  map[string]bool
	}
	days := map[string]*day{}
	for _, cl := range r.c.Claims {
		k := date(cl.Start)
		d := days[k]
		if d == nil {
			d = &day{ps: map[string]bool{}}
			days[k] = d
		}
		d.n++
		d.fnd += cl.FundAmount
		d.ps[cl.PatientID] = true
	}
	keys := make([]string, 0, len(days))
	for k := range days {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	rows := make([][]string, 0, len(keys))
	for _, k := range keys {
		d := days[k]
		rows = append(rows, []string{k, fmt.Sprint(d.n), fmt.Sprint(len(d.ps)), yuan(d.fnd)})
	}
	r.table([]string{"日期", "结算单数", "就诊人数", "统筹支付金额"}, []float64{40, 30, 30, 60}, rows)
	if len(r.c.History) > 0 {
		r.pdf.Ln(2)
		r.para("案件处理节点见第八部分。")
	}
}

func (r *report) claims() {
	r.heading("七、结算明细")
	rows := make([][]string, 0, len(r.c.Claims))
	claims := append([]graph.Claim(nil), r.c.Claims...)
	sort.Slice(claims, func(i, j int) bool {
		if !claims[i].Start.Equal(claims[j].Start) {
			return claims[i].Start.Before(claims[j].Start)
		}
		return claims[i].ID < claims[j].ID
	})
	for _, cl := range claims {
		rows = append(rows, []string{cl.ID, cl.PatientID, cl.ProviderID, cl.DoctorID, zh(zhClaimType, cl.Type),
			cl.Start.Format("2006-01-02 15:04"), cl.DiagnosisCode, yuan(cl.TotalAmount), yuan(cl.FundAmount)})
	}
	r.table([]string{"结算单号", "参保人", "医药机构", "医师", "类型", "就诊时间", "诊断", "总费用", "统筹支付"},
		[]float64{24, 22, 24, 24, 10, 25, 13, 19, 19}, rows)
}

func (r *report) history() {
	r.heading("八、案件处理记录")
	rows := make([][]string, 0, len(r.c.History))
	for _, h := range r.c.History {
		change := zh(zhAction, h.Action)
		if h.To != "" {
			change = zh(zhStatus, h.From) + " → " + zh(zhStatus, h.To)
		}
		note := h.Note
		if h.Action == "transition" && h.To == "transferred" {
			// A transfer's note starts with where it went (police, administrative).
			if target, rest, _ := strings.Cut(note, " "); zhTransfer[target] != "" {
				note = strings.TrimSpace("移送" + zhTransfer[target] + " " + rest)
			}
		}
		rows = append(rows, []string{datetime(h.At.In(cst)), r.person(h.Actor), zh(zhRole, h.Role), change, note})
	}
	r.table([]string{"时间（北京时间）", "经办人", "角色", "操作", "说明"}, []float64{32, 24, 20, 34, 70}, rows)
}

func (r *report) procedure() {
	r.heading("九、办理程序（受理、核查、移交、陈述申辩、复议诉讼、追回）")
	if len(r.c.Procedure) == 0 {
		r.para("（无）")
		return
	}
	rows := make([][]string, 0, len(r.c.Procedure))
	for _, st := range r.c.Procedure {
		amount := ""
		if st.Amount != 0 {
			amount = yuan(st.Amount)
		}
		rows = append(rows, []string{st.Date, st.Label, st.Detail, amount})
	}
	r.table([]string{"日期", "程序", "内容", "金额（元）"}, []float64{26, 40, 94, 20}, rows)
}

// picture draws the case's relationship graph: providers in the centre, doctors around them,
// patients outside, shared phones and addresses outermost. Claim nodes are folded into direct
// patient–provider and patient–doctor links so that the picture shows who is tied to whom.
func (r *report) picture() {
	p := r.pdf
	r.heading("五、关系图")
	nodes, edges := foldClaims(r.c.Subgraph)
	const maxNodes = 220
	cut := false
	if len(nodes) > maxNodes {
		nodes, cut = nodes[:maxNodes], true
	}
	if len(nodes) == 0 {
		r.para("（无关系图数据）")
		return
	}
	if p.GetY() > 120 {
		p.AddPage()
	}
	top := p.GetY()
	cx, cy, size := pageW/2, top+75, 70.0
	rings := map[graph.EntityType]float64{
		graph.TypeInstitution: 0.15, graph.TypePharmacy: 0.15, graph.TypeTerminal: 0.3,
		graph.TypeDoctor: 0.45, graph.TypePatient: 0.8, graph.TypePhone: 1.0, graph.TypeAddress: 1.0,
	}
	byRing := map[float64][]graph.Node{}
	for _, n := range nodes {
		rad, ok := rings[n.Type]
		if !ok {
			rad = 1.0
		}
		byRing[rad] = append(byRing[rad], n)
	}
	pos := map[graph.Ref][2]float64{}
	for rad, ns := range byRing {
		for i, n := range ns {
			a := 2*math.Pi*float64(i)/float64(len(ns)) + rad
			rr := rad * size
			if len(ns) == 1 && rad < 0.2 {
				rr = 0
			}
			pos[n.Ref] = [2]float64{cx + rr*math.Cos(a), cy + rr*math.Sin(a)}
		}
	}
	p.SetDrawColor(170, 170, 170)
	p.SetLineWidth(0.15)
	for _, e := range edges {
		a, okA := pos[e.From]
		b, okB := pos[e.To]
		if okA && okB {
			p.Line(a[0], a[1], b[0], b[1])
		}
	}
	colour := map[graph.EntityType][3]int{
		graph.TypePatient: {66, 133, 244}, graph.TypeDoctor: {52, 168, 83}, graph.TypeInstitution: {234, 67, 53},
		graph.TypePharmacy: {251, 140, 0}, graph.TypePhone: {142, 36, 170}, graph.TypeAddress: {121, 85, 72},
		graph.TypeTerminal: {96, 125, 139},
	}
	p.SetFont(font, "", 5)
	for _, n := range nodes {
		xy := pos[n.Ref]
		c := colour[n.Type]
		p.SetFillColor(c[0], c[1], c[2])
		rad := 1.2
		if n.Type.IsProvider() {
			rad = 2.4
		} else if n.Type == graph.TypeDoctor {
			rad = 1.8
		}
		p.Circle(xy[0], xy[1], rad, "F")
		if len(nodes) <= 80 || n.Type != graph.TypePatient {
			p.Text(xy[0]+rad+0.4, xy[1]+0.8, n.Label)
		}
	}
	p.SetY(cy + size + 6)
	p.SetFont(font, "", 8)
	x := marginL
	for _, t := range []graph.EntityType{graph.TypePatient, graph.TypeDoctor, graph.TypeInstitution, graph.TypePharmacy, graph.TypePhone, graph.TypeAddress} {
		c := colour[t]
		p.SetFillColor(c[0], c[1], c[2])
		p.Circle(x+1.5, p.GetY()+2.5, 1.5, "F")
		p.SetX(x + 4)
		p.CellFormat(26, 5, zh(zhType, t), "", 0, "L", false, 0, "")
		x += 30
	}
	p.Ln(6)
	note := fmt.Sprintf("图中节点 %d 个、连线 %d 条；结算单已折叠为参保人与医药机构/医师之间的连线。", len(nodes), len(edges))
	if cut {
		note += fmt.Sprintf("节点过多，仅绘出前 %d 个，完整关系见 subgraph.graphml。", maxNodes)
	}
	r.para(note)
}

// foldClaims replaces each claim node by edges from its patient to its provider and doctor.
func foldClaims(sg graph.Subgraph) ([]graph.Node, []graph.Edge) {
	claimEnds := map[graph.Ref][]graph.Ref{}
	var nodes []graph.Node
	for _, n := range sg.Nodes {
		if n.Type != graph.TypeClaim {
			nodes = append(nodes, n)
		}
	}
	seen := map[[2]graph.Ref]bool{}
	var edges []graph.Edge
	add := func(e graph.Edge) {
		k := [2]graph.Ref{e.From, e.To}
		if !seen[k] {
			seen[k] = true
			edges = append(edges, e)
		}
	}
	for _, e := range sg.Edges {
		switch {
		case e.From.Type == graph.TypeClaim:
			claimEnds[e.From] = append(claimEnds[e.From], e.To)
		case e.To.Type == graph.TypeClaim:
			claimEnds[e.To] = append(claimEnds[e.To], e.From)
		default:
			add(e)
		}
	}
	claims := make([]graph.Ref, 0, len(claimEnds))
	for c := range claimEnds {
		claims = append(claims, c)
	}
	sort.Slice(claims, func(i, j int) bool { return claims[i].ID < claims[j].ID })
	for _, c := range claims {
		var patients, others []graph.Ref
		for _, end := range claimEnds[c] {
			if end.Type == graph.TypePatient {
				patients = append(patients, end)
			} else {
				others = append(others, end)
			}
		}
		for _, pt := range patients {
			for _, o := range others {
				add(graph.Edge{From: pt, To: o, Type: graph.RelType("VISITED")})
			}
		}
	}
	return nodes, edges
}
