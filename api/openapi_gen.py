# Generates api/openapi.json, the OpenAPI 3 description of the RingTrace API. Edit this file and run
# `python3 api/openapi_gen.py`; TestOpenAPICoversRoutes and TestResponsesMatchSchemas keep the
# result true to the route table and to the handlers' responses.
import json
R = lambda n: {"$ref": "#/components/schemas/" + n}
def arr(x): return {"type": "array", "items": x}
S = lambda **kw: dict(kw)
str_ = {"type": "string"}; int_ = {"type": "integer"}; num = {"type": "number"}; bool_ = {"type": "boolean"}
dt = {"type": "string", "format": "date-time"}
def obj(props, req=None, **kw):
    o = {"type": "object", "properties": props}
    if req: o["required"] = req
    o.update(kw)
    return o

schemas = {
 "Error": obj({"error": obj({"code": {"type":"string","enum":["invalid","not_found","conflict","forbidden","unauthorized","unavailable","too_many","internal"]},
   "field": {"type":"string","description":"the input field the message is about (400 only)"},
   "message": {"type":"string","description":"简体中文 message; message_en holds English"},
   "message_en": str_, "request_id": str_}, ["code","message"])}, ["error"]),
 "Ref": obj({"type": {"type":"string","enum":["patient","doctor","institution","pharmacy","claim","phone","address","terminal"]}, "id": str_}, ["type","id"]),
 "User": obj({"username": str_, "role": {"type":"string","enum":["analyst","investigator","supervisor","police","admin","intake"]}, "display_name": str_, "disabled": bool_, "created_at": dt}, ["username","role","display_name"]),
 "LoginRequest": obj({"username": str_, "password": {"type":"string","format":"password"}}, ["username","password"]),
 "LoginResponse": obj({"token": str_, "expires_at": dt, "user": R("User"), "must_change_password": bool_}, ["token","expires_at","user"]),
 "PasswordChange": obj({"old_password": str_, "new_password": {"type":"string","minLength":12}}, ["old_password","new_password"]),
 "UserCreate": obj({"username": {"type":"string","pattern":"^[a-z0-9_.-]{3,32}$"}, "password": {"type":"string","minLength":12}, "role": {"type":"string","enum":["analyst","investigator","supervisor","police","admin","intake"]}, "display_name": str_}, ["username","password","role"]),
 "UserUpdate": obj({"role": str_, "display_name": str_, "disabled": bool_, "password": {"type":"string","minLength":12}}),
 "UserList": obj({"users": arr(R("User"))}, ["users"]),
 "Node": obj({"type": str_, "id": str_, "label": {"type":"string","description":"display name, masked per role"},
   "props": {"type":"object","additionalProperties": str_, "description":"properties as strings, masked per role"},
   "masked": {"type":"boolean","description":"true when personal data in label/props was masked or pseudonymised"},
   "score": {"type":"number","description":"risk score 0..1 from the latest completed job, absent when unscored"}}, ["type","id","label"]),
 "Edge": obj({"from": R("Ref"), "to": R("Ref"), "type": {"type":"string","enum":["FILED","AT","TREATED_BY","WORKS_AT","HAS_PHONE","LIVES_AT","ON_TERMINAL"]}}, ["from","to","type"]),
 "Subgraph": obj({"nodes": arr(R("Node")), "edges": arr(R("Edge")), "truncated": {"type":"boolean","description":"true when the node limit cut the result"}, "limit": int_, "job_id": str_}, ["nodes","edges","truncated"]),
 "Reason": obj({"code": str_, "text": str_, "text_en": str_, "weight": num, "values": {"type":"object","additionalProperties": num}}, ["code","text","text_en","weight"]),
 "RingSummary": obj({"id": str_, "kind": str_, "score": num}, ["id","kind","score"]),
 "EntityView": obj({"node": R("Node"), "risk": obj({"score": num, "reasons": arr(R("Reason"))}), "rings": arr(R("RingSummary")), "job_id": {"type":"string","description":"job whose findings gave risk and rings; empty when no job has completed"}}, ["node","rings"]),
 "SearchResult": obj({"results": arr(R("Node")), "query": str_}, ["results"]),
 "Claim": obj({"id": str_, "patient_id": str_, "provider_id": str_, "provider_type": str_, "doctor_id": str_, "claim_type": {"type":"string","enum":["outpatient","inpatient","pharmacy"]}, "start_time": dt, "end_time": dt, "diagnosis_code": {"type":"string","description":"masked for roles without full access"}, "total_amount": num, "fund_amount": num, "terminal_id": str_, "masked": {"type":"boolean","description":"true when the patient id is pseudonymised and the diagnosis hidden"}}, ["id","patient_id","provider_id","claim_type","start_time","total_amount","fund_amount"]),
 "ClaimPage": obj({"claims": arr(R("Claim")), "total": int_, "offset": int_, "limit": int_}, ["claims","total","offset","limit"]),
 "Ring": obj({"id": str_, "kind": str_, "class": {"type":"string","enum":["ring","lead"],"description":"ring: a group acting together; lead: a single card or stay worth a look"}, "score": num, "members": arr(R("Ref")), "amount": num,
   "expected_amount": {"type":"number","description":"amount × score: the fund money the finding is expected to recover, yuan"}, "patients": {"type":"integer","description":"patient members (cards)"},
   "claims": int_, "region": str_, "regions": arr(str_), "reasons": arr(R("Reason"))}, ["id","kind","score","members","amount","reasons"]),
 "RingPage": obj({"job_id": str_, "rings": arr(R("Ring")), "total": int_, "offset": int_, "limit": int_}, ["job_id","rings","total","offset","limit"]),
 "JobCreate": obj({"params": {"type":"object","description":"detection parameters (GET /api/config/params gives the defaults): window, thresholds, resolution, seed …"}, "note": str_}),
 "Job": obj({"id": str_, "status": {"type":"string","enum":["queued","running","succeeded","failed","cancelled"]}, "phase": str_, "percent": num,
   "params": {"type":"object"}, "note": str_, "created_by": str_, "created_at": dt, "started_at": dt, "finished_at": dt, "error": str_,
   "snapshot": obj({"store": str_, "counts": {"type":"object"}, "params_sha256": str_, "taken_at": dt}),
   "summary": obj({"rings": int_, "entities": int_, "by_kind": {"type":"object","additionalProperties": int_}})}, ["id","status","params","created_by","created_at"]),
 "JobPage": obj({"jobs": arr(R("Job")), "total": int_}, ["jobs","total"]),
 "JobComparison": obj({"a": str_, "b": str_, "params_diff": {"type":"object","additionalProperties": obj({"a": {}, "b": {}})},
   "matched": arr(obj({"a": str_, "b": str_, "jaccard": num, "score_a": num, "score_b": num})), "only_a": arr(R("RingSummary")), "only_b": arr(R("RingSummary"))}, ["a","b","matched","only_a","only_b"]),
 "CaseCreate": obj({"title": str_, "ring_id": str_, "job_id": str_, "entity": R("Ref"), "assignee": str_, "summary": str_,
   "application_received": {"type":"string","format":"date","description":"day the benefit application concerned was received (收到医疗保险待遇申请之日); the 15-working-day verification limit runs from it"}}),
 "Deadline": obj({"kind": {"type":"string","enum":["verify","transfer","close","statement"]},
   "from": {"type":"string","format":"date","description":"the day the limit counts from (itself not counted)"},
   "basis": {"type":"string","enum":["application","created","verified","opened","notified"],"description":"what from is: receipt of the application, registration of the lead, end of verification, 立案, the statement notice"}, "due": {"type":"string","format":"date","description":"due by the end of this day (China time)"}, "working_days": {"type":"integer","description":"working days from today to the due day; negative when past"}, "active": {"type":"boolean","description":"whether this limit applies in the current status"}, "overdue": bool_}, ["kind","due","working_days","active","overdue"]),
 "Note": obj({"at": dt, "by": str_, "text": str_}, ["at","by","text"]),
 "Event": obj({"at": dt, "by": str_, "role": str_, "action": str_, "from": str_, "to": str_, "detail": str_}, ["at","by","action"]),
 "Case": obj({"id": str_, "title": str_, "status": {"type":"string","enum":["lead","verification","opened","transferred","closed"], "description":"线索 lead → 核查 verification → 立案 opened → 移送 transferred → 结案 closed"},
   "status_label": {"type":"string","description":"简体中文 status name"}, "version": int_, "transfer_to": {"type":"string","enum":["","administrative","police"]},
   "ring_id": str_, "job_id": str_, "summary": str_, "parties": arr(R("Ref")), "attachments": arr(R("Ref")), "assignee": str_, "created_by": str_, "created_at": dt, "updated_at": dt,
   "opened_at": dt, "transferred_at": dt, "closed_at": dt, "extension": obj({"status": {"type":"string","enum":["requested","approved","rejected"]}, "reason": str_, "requested_by": str_, "requested_at": dt, "decided_by": str_, "decided_at": dt}),
   "application_received": {"type":"string","format":"date"}, "verified_at": dt,
   "handovers": arr(R("Handover")), "statement": R("Statement"), "appeals": arr(R("Appeal")), "recoveries": arr(R("Recovery")),
   "recovered_total": {"type":"number","description":"fund money recovered (追回), yuan"}, "penalty_total": {"type":"number","description":"penalties imposed (罚款), yuan"},
   "deadlines": arr(R("Deadline")), "overdue": bool_, "notes": arr(R("Note")), "history": arr(R("Event"))}, ["id","title","status","version","parties","attachments","deadlines","overdue","history","handovers","appeals","recoveries","recovered_total","penalty_total"]),
 "Handover": obj({"seq": int_, "kind": {"type":"string","enum":["administrative","police","health","market_regulation","other"]}, "kind_label": str_, "department": str_, "note": str_, "at": dt, "by": str_,
   "feedback": obj({"received": {"type":"string","format":"date"}, "outcome": str_, "document": str_, "at": dt, "by": str_}, ["received","outcome","at","by"])}, ["seq","kind","kind_label","department","at","by"]),
 "Statement": obj({"notified": {"type":"string","format":"date"}, "working_days": int_, "due": {"type":"string","format":"date"}, "document": str_, "submitted": {"type":"string","format":"date"}, "text": str_, "waived": bool_, "at": dt, "by": str_}, ["notified","working_days","due","document","at","by"]),
 "Appeal": obj({"seq": int_, "kind": {"type":"string","enum":["reconsideration","litigation"]}, "kind_label": str_, "filed": {"type":"string","format":"date"}, "body": str_, "decided": {"type":"string","format":"date"}, "outcome": {"type":"string","enum":["","upheld","changed","revoked","withdrawn"]}, "detail": str_, "at": dt, "by": str_}, ["seq","kind","kind_label","filed","body","at","by"]),
 "Recovery": obj({"kind": {"type":"string","enum":["recovered","penalty"]}, "kind_label": str_, "amount": {"type":"number","description":"yuan"}, "date": {"type":"string","format":"date"}, "document": str_, "at": dt, "by": str_}, ["kind","kind_label","amount","date","at","by"]),
 "InspectionPlanRequest": obj({"seed": {"type":"integer","minimum":0,"description":"the same seed, store and job reproduce the plan"},
   "institution_share": {"type":"number","minimum":0.6666666666666666,"maximum":1,"description":"share of each region's institutions to sample; default and minimum 2/3"},
   "pharmacy_share": {"type":"number","minimum":0.3333333333333333,"maximum":1,"description":"share of each region's pharmacies to sample; default and minimum 1/3"},
   "flying": {"type":"integer","minimum":0,"maximum":1000,"description":"number of flying-inspection targets (the riskiest)"},
   "risk_weight": {"type":"number","minimum":0,"maximum":100,"description":"weight = 1 + risk_weight × risk; default 4"},
   "region": {"type":"string","description":"only this pooling region"}, "job_id": {"type":"string","description":"job whose risk scores weight the draw; default the latest"}}, ["seed"]),
 "InspectionProvider": obj({"type": {"type":"string","enum":["institution","pharmacy"]}, "id": str_, "name": str_, "region": str_, "level": str_, "ownership": str_, "risk": num}, ["type","id","risk"]),
 "InspectionPlan": obj({"seed": int_, "institution_share": num, "pharmacy_share": num, "risk_weight": num, "job_id": str_,
   "sample": arr(R("InspectionProvider")), "flying": arr(R("InspectionProvider")),
   "strata": arr(obj({"region": str_, "type": str_, "level": str_, "ownership": str_, "total": int_, "sampled": int_}, ["region","type","total","sampled"])),
   "coverage": arr(obj({"region": str_, "type": str_, "total": int_, "sampled": int_, "share": num, "minimum": num}, ["region","type","total","sampled","share","minimum"]))},
   ["seed","institution_share","pharmacy_share","risk_weight","job_id","sample","flying","strata","coverage"]),
 "MonthlyReport": obj({"month": str_, "figures": arr(obj({"key": {"type":"string","enum":["leads","verified","opened","closed","handed_administrative","referred_police","handed_other","feedback","appeals","recovered","penalties","overdue_verify","overdue_transfer","overdue_close"]},
   "label": {"type":"string","description":"简体中文"}, "count": int_, "cases": arr(str_), "amount": {"type":"number","description":"yuan, on money figures"}}, ["key","label","count","cases"]))}, ["month","figures"]),
 "BillingHit": obj({"rule": {"type":"string","enum":["price_over_limit","sex_mismatch","age_out_of_range","quantity_per_claim","quantity_per_day","unbundled","exclusive_pair","high_value"]},
   "rule_name": {"type":"string","description":"简体中文"}, "rule_file": {"type":"string","enum":["catalogue.csv","pairs.csv"]}, "rule_line": {"type":"integer","description":"the row of the rule table that fired"},
   "item_code": str_, "other_item_code": str_, "patient_id": str_, "provider_id": str_, "provider_type": str_, "day": {"type":"string","format":"date"},
   "lines": arr(obj({"claim_id": str_, "seq": int_}, ["claim_id","seq"])), "at_stake": {"type":"number","description":"the overcharge, yuan"}, "detail": {"type":"string","description":"简体中文, with the numbers"}},
   ["rule","rule_name","rule_file","rule_line","item_code","patient_id","provider_id","provider_type","day","lines","at_stake","detail"]),
 "BillingAudit": obj({"rules_version": {"type":"string","description":"SHA-256 prefix of the rule tables"}, "lines": {"type":"integer","description":"billing lines read"}, "total_hits": int_, "offset": int_,
   "hits": arr(R("BillingHit")), "leads": arr(R("Ring")), "at_stake": num, "by_rule": {"type":"object","additionalProperties": int_}}, ["rules_version","lines","total_hits","offset","hits","leads","at_stake","by_rule"]),
 "FundPoint": obj({"month": str_, "value": num, "expected": num, "low": num, "high": num, "banded": bool_, "alert": {"type":"string","enum":["above","below"]}}, ["month","value","banded"]),
 "FundAlert": obj({"key": str_, "label": str_, "month": str_, "value": num, "expected": num, "low": num, "high": num, "deviation": {"type":"number","description":"(value − expected) / robust standard deviation"}, "direction": {"type":"string","enum":["above","below"]}, "text": {"type":"string","description":"简体中文"}}, ["key","month","value","expected","low","high","deviation","direction","text"]),
 "FundWarnings": obj({"dimension": str_, "metric": str_, "months": arr(str_), "series": arr(obj({"key": str_, "label": str_, "points": arr(R("FundPoint")), "alerts": int_}, ["key","points","alerts"])), "alerts": arr(R("FundAlert"))}, ["dimension","metric","months","series","alerts"]),
 "ScreenRequest": obj({"claims": arr(R("Claim")), "items": arr({"type":"object"}), "large_claim_yuan": {"type":"number","description":"default 10000"}, "high_frequency_per_year": {"type":"integer","description":"default 4"}}, ["claims"]),
 "ApplicationReceived": obj({"application_received": {"type":"string","format":"date"}, "version": int_}, ["application_received","version"]),
 "HandoverCreate": obj({"kind": {"type":"string","enum":["administrative","police","health","market_regulation","other"]}, "department": {"type":"string","maxLength":200}, "note": str_, "version": int_}, ["kind","department","version"]),
 "FeedbackCreate": obj({"received": {"type":"string","format":"date"}, "outcome": {"type":"string","maxLength":4000}, "document": str_, "version": int_}, ["received","outcome","version"]),
 "StatementAction": obj({"action": {"type":"string","enum":["notify","submit","waive"]}, "notified": {"type":"string","format":"date"}, "working_days": {"type":"integer","minimum":1,"maximum":60,"description":"the time limit the notice gives, working days"}, "document": {"type":"string","description":"reference of the notice (告知书)"}, "submitted": {"type":"string","format":"date"}, "text": str_, "version": int_}, ["action","version"]),
 "AppealAction": obj({"action": {"type":"string","enum":["file","decide"]}, "kind": {"type":"string","enum":["reconsideration","litigation"]}, "filed": {"type":"string","format":"date"}, "body": {"type":"string","description":"reconsideration body or court"}, "seq": int_, "decided": {"type":"string","format":"date"}, "outcome": {"type":"string","enum":["upheld","changed","revoked","withdrawn"]}, "detail": str_, "version": int_}, ["action","version"]),
 "RecoveryCreate": obj({"kind": {"type":"string","enum":["recovered","penalty"]}, "amount": {"type":"number","exclusiveMinimum":0,"description":"yuan"}, "date": {"type":"string","format":"date"}, "document": str_, "version": int_}, ["kind","amount","date","version"]),
 "CasePage": obj({"cases": arr(R("Case")), "total": int_}, ["cases","total"]),
 "Transition": obj({"to": {"type":"string","enum":["verification","opened","transferred","closed"]}, "version": int_, "transfer_to": {"type":"string","enum":["administrative","police"]}, "reason": str_}, ["to","version"]),
 "NoteCreate": obj({"text": {"type":"string","maxLength":10000}, "version": int_}, ["text","version"]),
 "Assign": obj({"assignee": str_, "version": int_}, ["assignee","version"]),
 "Attach": obj({"refs": arr(R("Ref")), "version": int_}, ["refs","version"]),
 "Extension": obj({"action": {"type":"string","enum":["request","approve","reject"]}, "reason": str_, "version": int_}, ["action","version"]),
 "RecusalCreate": obj({"case_id": str_, "entity": R("Ref"), "reason": str_}, ["reason"]),
 "Recusal": obj({"id": str_, "username": str_, "case_id": str_, "entity": R("Ref"), "reason": str_, "at": dt}, ["id","username","reason","at"]),
 "AuditRecord": obj({"seq": int_, "at": dt, "actor": str_, "role": str_, "action": str_, "entities": arr(str_), "remote": str_, "request_id": str_, "count": int_, "status": int_, "detail": str_, "prev_hash": str_, "hash": str_}, ["seq","at","actor","action","hash","prev_hash"]),
 "AuditPage": obj({"records": arr(R("AuditRecord")), "total": int_}, ["records","total"]),
 "AuditVerify": obj({"ok": bool_, "records": int_, "first_broken": int_, "reason": str_, "head": {"type":"string","description":"hash of the last record; record it outside the server to anchor the chain"}}, ["ok","records"]),
 "Health": obj({"status": str_, "checks": {"type":"object","additionalProperties": str_}}, ["status"]),
}
def ref(n): return R(n)
def p(name, where="query", schema=str_, desc=None, req=False):
    d = {"name": name, "in": where, "schema": schema, "required": req or where == "path"}
    if desc: d["description"] = desc
    return d
def j(n): return {"content": {"application/json": {"schema": R(n)}}}
def resp(code, schema, desc="OK"):
    r = {"description": desc}
    if schema: r.update(j(schema))
    return {str(code): r}
ERR = {"description": "error", "content": {"application/json": {"schema": R("Error")}}}
def op(summary, tag, ok, params=(), body=None, code=200, roles=None, public=False, ok_desc="OK", errs=(400,401,403,404,429,503)):
    o = {"summary": summary, "tags": [tag], "parameters": list(params), "responses": {}}
    o["responses"].update(resp(code, ok, ok_desc))
    for e in errs:
        if public and e in (401,403): continue
        o["responses"][str(e)] = ERR
    if body: o["requestBody"] = {"required": True, **j(body)}
    if public: o["security"] = []
    if roles: o["x-roles"] = roles
    return o

T, I = p("type", "path", {"type":"string","enum":["patient","doctor","institution","pharmacy","claim","phone","address","terminal"]}), p("id", "path")
ID = p("id", "path")
pg = [p("offset", schema={"type":"integer","minimum":0,"default":0}), p("limit", schema={"type":"integer","minimum":1,"maximum":500,"default":50})]
ALL = ["analyst","investigator","supervisor","police","admin","intake"]
GRAPH = ["analyst","investigator","supervisor"]
paths = {
 "/api/auth/login": {"post": op("Log in; returns a bearer token (rate-limited per client address)", "auth", "LoginResponse", body="LoginRequest", public=True, errs=(400,401,429))},
 "/api/auth/logout": {"post": op("End the current session", "auth", None, code=204, roles=ALL, ok_desc="logged out", errs=(401,))},
 "/api/auth/me": {"get": op("The current user", "auth", "User", roles=ALL, errs=(401,))},
 "/api/auth/password": {"post": op("Change one's own password", "auth", None, body="PasswordChange", code=204, roles=ALL, ok_desc="changed", errs=(400,401,403))},
 "/api/search": {"get": op("Search parties by id or name prefix (Chinese names too); analysts find persons, phones and addresses by the complete number only, never by a prefix of one", "graph", "SearchResult", [p("q", req=True, desc="id or name prefix, 1–64 characters"), p("types", desc="comma-separated entity types"), p("limit", schema={"type":"integer","minimum":1,"maximum":100,"default":20})], roles=GRAPH)},
 "/api/entities/{type}/{id}": {"get": op("One entity with properties (masked per role), risk score, reasons and rings", "graph", "EntityView", [T, I], roles=GRAPH + ["police"])},
 "/api/entities/{type}/{id}/neighbourhood": {"get": op("Neighbourhood to depth 1–3 with type/time filters and a node limit", "graph", "Subgraph", [T, I, p("depth", schema={"type":"integer","minimum":1,"maximum":3,"default":1}), p("limit", schema={"type":"integer","minimum":1,"maximum":2000,"default":200}), p("types", desc="comma-separated entity types to visit"), p("from", schema={"type":"string","format":"date"}, desc="YYYY-MM-DD or RFC 3339, inclusive"), p("to", schema={"type":"string","format":"date"}, desc="YYYY-MM-DD or RFC 3339, exclusive")], roles=GRAPH)},
 "/api/entities/{type}/{id}/claims": {"get": op("Claims of a party, paged, filterable by time and claim type", "graph", "ClaimPage", [T, I, p("from", schema={"type":"string","format":"date"}), p("to", schema={"type":"string","format":"date"}), p("types", desc="comma-separated claim types: outpatient,inpatient,pharmacy")] + pg, roles=GRAPH + ["police"])},
 "/api/paths": {"get": op("Shortest path between two entities", "graph", "Subgraph", [p("from", req=True, desc="type:id"), p("to", req=True, desc="type:id"), p("max_depth", schema={"type":"integer","minimum":1,"maximum":6,"default":4})], roles=GRAPH)},
 "/api/jobs": {"post": op("Start a ring-detection job", "jobs", "Job", body="JobCreate", code=202, roles=["analyst","supervisor"], ok_desc="accepted"),
               "get": op("List jobs, newest first", "jobs", "JobPage", pg, roles=GRAPH)},
 "/api/jobs/compare": {"get": op("Compare the findings of two jobs", "jobs", "JobComparison", [p("a", req=True), p("b", req=True)], roles=GRAPH)},
 "/api/jobs/{id}": {"get": op("One job with progress", "jobs", "Job", [ID], roles=GRAPH)},
 "/api/jobs/{id}/cancel": {"post": op("Cancel a queued or running job", "jobs", "Job", [ID], roles=["analyst","supervisor"], errs=(400,401,403,404,409))},
 "/api/rings": {"get": op("Findings list: filter by kind, score, provider, region; sort; page", "findings", "RingPage", [p("job", desc="job id; default the latest succeeded job"), p("kind"), p("min_score", schema={"type":"number","minimum":0,"maximum":1}), p("provider", desc="provider id (institution or pharmacy) among the members"), p("region"), p("sort", schema={"type":"string","enum":["-score","score","-amount","amount","-size","size","id"],"default":"-score"})] + pg, roles=GRAPH)},
 "/api/rings/{id}": {"get": op("One ring with members and reasons", "findings", "Ring", [ID, p("job")], roles=GRAPH)},
 "/api/rings/{id}/subgraph": {"get": op("A ring's subgraph for drawing: members, their doctors/providers and the claims that tie them", "findings", "Subgraph", [ID, p("job"), p("limit", schema={"type":"integer","minimum":1,"maximum":2000,"default":500})], roles=GRAPH)},
 "/api/cases": {"post": op("Open a case (线索) from a ring or an entity", "cases", "Case", body="CaseCreate", code=201, roles=["analyst","investigator","supervisor"], ok_desc="created"),
                "get": op("List cases visible to the caller", "cases", "CasePage", [p("status"), p("overdue", schema=bool_), p("assignee")] + pg, roles=["analyst","investigator","supervisor","police"])},
 "/api/cases/{id}": {"get": op("One case with deadlines, history, notes and attachments", "cases", "Case", [ID], roles=["analyst","investigator","supervisor","police"])},
 "/api/cases/{id}/transition": {"post": op("Move a case to its next status (409 when version is stale or the move is not allowed)", "cases", "Case", [ID], body="Transition", roles=["investigator","supervisor"], errs=(400,401,403,404,409))},
 "/api/cases/{id}/notes": {"post": op("Add a note", "cases", "Case", [ID], body="NoteCreate", roles=["investigator","supervisor"], errs=(400,401,403,404,409))},
 "/api/cases/{id}/assign": {"post": op("Assign the case to an investigator", "cases", "Case", [ID], body="Assign", roles=["supervisor"], errs=(400,401,403,404,409))},
 "/api/cases/{id}/attachments": {"post": op("Attach entities or claims as evidence", "cases", "Case", [ID], body="Attach", roles=["investigator","supervisor"], errs=(400,401,403,404,409))},
 "/api/cases/{id}/extension": {"post": op("Request, approve or reject the one 30-working-day extension", "cases", "Case", [ID], body="Extension", roles=["investigator","supervisor"], errs=(400,401,403,404,409))},
 "/api/cases/{id}/application": {"post": op("Set the day the benefit application was received; the verification limit runs from it (art. 10)", "cases", "Case", [ID], body="ApplicationReceived", roles=["investigator","supervisor"], errs=(400,401,403,404,409))},
 "/api/cases/{id}/handovers": {"post": op("Hand the case to another department (移交) once verification has ended; to the administrative department it meets the 5-working-day limit", "cases", "Case", [ID], body="HandoverCreate", roles=["supervisor"], errs=(400,401,403,404,409))},
 "/api/cases/{id}/handovers/{seq}/feedback": {"post": op("Record the receiving department's feedback on a hand-over (处理情况反馈)", "cases", "Case", [ID, p("seq", "path", req=True, schema={"type":"integer","minimum":1})], body="FeedbackCreate", roles=["investigator","supervisor"], errs=(400,401,403,404,409))},
 "/api/cases/{id}/statement": {"post": op("Serve the statement-and-defence notice (陈述、申辩) or record the party's answer", "cases", "Case", [ID], body="StatementAction", roles=["investigator","supervisor"], errs=(400,401,403,404,409))},
 "/api/cases/{id}/appeals": {"post": op("Record a reconsideration or lawsuit (复议、诉讼) or its outcome", "cases", "Case", [ID], body="AppealAction", roles=["investigator","supervisor"], errs=(400,401,403,404,409))},
 "/api/cases/{id}/recoveries": {"post": op("Record fund money recovered (追回) or a penalty (罚款)", "cases", "Case", [ID], body="RecoveryCreate", roles=["supervisor"], errs=(400,401,403,404,409))},
 "/api/inspections/plan": {"post": op("Draw an on-site inspection sample (≥ 2/3 of institutions, ≥ 1/3 of pharmacies per region, stratified by level and ownership, risk-weighted, reproducible by seed) and flying-inspection targets; ?format=csv downloads it", "inspection", "InspectionPlan", [p("format", schema={"type":"string","enum":["json","csv"],"default":"json"})], body="InspectionPlanRequest", roles=["supervisor"], errs=(400,401,403,404,409))},
 "/api/statistics/monthly": {"get": op("The month's case figures (leads, verifications, 立案, closures, hand-overs, police referrals, feedback, appeals, recovered and penalties, overdue at month end), each with its case ids", "inspection", "MonthlyReport", [p("month", desc="YYYY-MM, China time; default the current month")], roles=["supervisor"])},
 "/api/billing/audit": {"post": op("Audit every billing line of the store against the rule tables (--rules DIR): hits with the rule row, the lines and the amount at stake, and leads per provider and rule; 503 without rule tables", "inspection", "BillingAudit", pg, roles=["analyst","supervisor"], errs=(400,401,403,503))},
 "/api/fund/warnings": {"get": op("Fund early warning (基金使用预警): monthly series per region, provider kind or provider with a robust expected band (trailing 12-month median ± k × 1.4826 × MAD, last year's seasonal ratio) and the months outside it", "inspection", "FundWarnings", [p("dimension", schema={"type":"string","enum":["region","kind","provider"],"default":"region"}), p("metric", schema={"type":"string","enum":["fund","claims","patients","fund_per_claim"],"default":"fund"}), p("k", schema={"type":"number","default":3}), p("only_alerts", schema=bool_), p("key", desc="only this series")], roles=["analyst","supervisor"])},
 "/api/claims/screen": {"post": op("Screen a batch of new claims before payment: a verdict per claim (pass, or hold with reasons: large claim, yearly frequency, after death, overlapping stay, blacklist, ring member, billing rules); nothing is written", "inspection", None, body="ScreenRequest", roles=["analyst","supervisor"])},
 "/api/recusals": {"post": op("Declare recusal (回避) from a case or a party", "cases", "Recusal", body="RecusalCreate", code=201, roles=["investigator","supervisor"], ok_desc="created"),
                   "get": op("List recusals (own; supervisors see all)", "cases", None, roles=["investigator","supervisor"])},
 "/api/audit": {"get": op("Query the audit trail", "audit", "AuditPage", [p("actor"), p("action"), p("entity", desc="type:id"), p("from", schema=dt), p("to", schema=dt)] + pg, roles=["supervisor"])},
 "/api/audit/verify": {"get": op("Verify the audit hash chain", "audit", "AuditVerify", roles=["supervisor"])},
 "/api/users": {"get": op("List users", "users", "UserList", roles=["admin"]),
                "post": op("Create a user", "users", "User", body="UserCreate", code=201, roles=["admin"], ok_desc="created", errs=(400,401,403,409))},
 "/api/users/{username}": {"put": op("Update a user's role, display name, password or disabled flag (disabling ends their sessions)", "users", "User", [p("username", "path")], body="UserUpdate", roles=["admin"], errs=(400,401,403,404))},
 "/api/config/params": {"get": op("Default detection parameters", "jobs", None, roles=GRAPH)},
 "/api/openapi.json": {"get": op("This description", "meta", None, public=True, errs=())},
 "/healthz": {"get": op("Liveness", "meta", "Health", public=True, errs=())},
 "/readyz": {"get": op("Readiness: the graph store and state database answer", "meta", "Health", public=True, errs=(503,))},
 "/metrics": {"get": op("Prometheus metrics", "meta", None, public=True, errs=())},
}
paths["/api/recusals"]["get"]["responses"]["200"] = {"description":"OK","content":{"application/json":{"schema":obj({"recusals": arr(R("Recusal"))},["recusals"])}}}
paths["/api/config/params"]["get"]["responses"]["200"] = {"description":"OK","content":{"application/json":{"schema":{"type":"object"}}}}
paths["/api/openapi.json"]["get"]["responses"]["200"] = {"description":"OK","content":{"application/json":{"schema":{"type":"object"}}}}
paths["/metrics"]["get"]["responses"]["200"] = {"description":"OK","content":{"text/plain":{"schema":str_}}}
# ---- referral export, whistle-blower intake (举报), blacklist (黑名单); see docs/referral.md ----
INTAKE = ["intake"]
ident = {"name": str_, "id_number": str_, "phone": str_, "employer": str_, "address": str_}
schemas.update({
 "ReportSubmission": obj({"anonymous": bool_, "reporter": obj(ident, description="ignored when anonymous; sealed and readable only by the intake role"),
   "subject": {"type":"string","description":"who is reported"}, "what": str_, "where": str_, "when": str_,
   "attachments": arr(obj({"name": str_, "content_type": str_, "data": {"type":"string","format":"byte","description":"base64"}}))}, ["subject","what"],
   description="JSON; or multipart/form-data with the same fields (reporter_name, reporter_id_number, reporter_phone, reporter_employer, reporter_address) and files in attachments"),
 "ReportReceipt": obj({"receipt_code": {"type":"string","description":"shown once; the only way to follow the report and claim a reward"}, "received_at": dt, "message": str_, "message_en": str_}, ["receipt_code","received_at","message","message_en"]),
 "ReportStatus": obj({"received_at": dt, "status": {"type":"string","enum":["received","confirmed","rejected"]}, "status_text": {"type":"string","description":"简体中文"},
   "reward": num, "claim_deadline": dt, "claimed": bool_, "lapsed": bool_}, ["received_at","status","status_text","reward","claimed","lapsed"]),
 "ReceiptClaim": obj({"code": str_}, ["code"]),
 "Report": obj({"id": str_, "received_at": dt, "named": {"type":"boolean","description":"whether a reporter identity exists (never the identity)"}, "subject": str_, "what": str_, "where": str_, "when": str_,
   "attachments": arr(obj({"name": str_, "content_type": str_, "size": int_, "sha256": str_})), "status": {"type":"string","enum":["received","triaged","confirmed","rejected"]},
   "entities": arr(R("Ref")), "case_id": str_, "confirmed_amount": num, "reward": num, "reward_notice_at": dt, "reward_claimed_at": dt, "version": int_},
   ["id","received_at","named","subject","what","attachments","status","entities","confirmed_amount","reward","version"]),
 "ReportPage": obj({"reports": arr(R("Report")), "total": int_}, ["reports","total"]),
 "ReporterIdentity": obj(ident, ["name"]),
 "Triage": obj({"version": int_, "entities": arr(R("Ref")), "case_id": {"type":"string","description":"link to this case; empty opens a new lead on the entities"}, "title": str_, "summary": str_}, ["version"]),
 "TriageResult": obj({"report": R("Report"), "case_id": str_}, ["report","case_id"]),
 "VersionOnly": obj({"version": int_}, ["version"]),
 "ConfirmAmount": obj({"amount": {"type":"number","minimum":0,"description":"confirmed fund money involved, yuan"}}, ["amount"]),
 "ConfirmResult": obj({"case_id": str_, "confirmed_amount": num, "reports": int_, "rewarded": int_}, ["case_id","confirmed_amount","reports","rewarded"]),
 "BlacklistEntry": obj({"id": str_, "entity": R("Ref"), "reason": str_, "case_id": str_, "from": dt, "until": dt, "listed_by": str_, "listed_at": dt, "removed_by": str_, "removed_at": dt, "active": bool_},
   ["id","entity","reason","case_id","from","listed_by","listed_at","active"]),
 "BlacklistPage": obj({"entries": arr(R("BlacklistEntry")), "total": int_}, ["entries","total"]),
 "BlacklistCreate": obj({"entity": R("Ref"), "case_id": {"type":"string","description":"a closed case the entity is a party of"}, "reason": str_,
   "from": {"type":"string","description":"YYYY-MM-DD (China time) or RFC 3339; default now"}, "until": {"type":"string","description":"YYYY-MM-DD or RFC 3339; empty: until removed"}}, ["entity","case_id","reason"]),
})
schemas["EntityView"]["properties"]["blacklisted"] = R("BlacklistEntry")  # present when the entity is listed
RID = p("id", "path")
paths.update({
 "/api/cases/{id}/export": {"post": op("Referral package (移送证据包) of a transferred case: signed ZIP; audit-logged with the manifest digest (X-Manifest-SHA256)", "referral", None, [RID], roles=["supervisor","police"], errs=(401,403,404,409,503))},
 "/api/cases/{id}/confirm-amount": {"post": op("Confirm the fund money a case involved; linked whistle-blower reports become confirmed and the first named reporter is rewarded by the configured table", "intake", "ConfirmResult", [RID], body="ConfirmAmount", roles=["supervisor"], errs=(400,401,403,404,409))},
 "/api/reports": {"post": op("File a whistle-blower report (举报), anonymous or named; rate-limited per client address", "intake", "ReportReceipt", body="ReportSubmission", code=201, public=True, ok_desc="received", errs=(400,429,503)),
                  "get": op("List reports (no reporter identity)", "intake", "ReportPage", roles=INTAKE)},
 "/api/reports/status": {"get": op("What a reporter may see with the receipt code: status and reward, never the case", "intake", "ReportStatus", [p("code", req=True)], public=True, errs=(400,404,429))},
 "/api/reports/claim": {"post": op("Claim the reward with the receipt code before it lapses", "intake", "ReportStatus", body="ReceiptClaim", public=True, errs=(400,404,409,429))},
 "/api/reports/{id}": {"get": op("One report (no reporter identity)", "intake", "Report", [RID], roles=INTAKE)},
 "/api/reports/{id}/identity": {"get": op("The reporter's identity (intake role only; audit-logged without the identity)", "intake", "ReporterIdentity", [RID], roles=INTAKE)},
 "/api/reports/{id}/attachments/{n}": {"get": op("One attachment of a report, as a download", "intake", None, [RID, p("n", "path", int_)], roles=INTAKE)},
 "/api/reports/{id}/triage": {"post": op("Link a report to parties and feed a case (an existing one or a new lead)", "intake", "TriageResult", [RID], body="Triage", roles=INTAKE, errs=(400,401,403,404,409))},
 "/api/reports/{id}/reject": {"post": op("Close a report as not confirmed", "intake", "Report", [RID], body="VersionOnly", roles=INTAKE, errs=(400,401,403,404,409))},
 "/api/blacklist": {"get": op("Blacklist (黑名单) listings; patient ids pseudonymised per role", "blacklist", "BlacklistPage", [p("active", schema=bool_), p("entity", desc="type:id")], roles=GRAPH),
                    "post": op("List a party of a closed case with a reason and a period", "blacklist", "BlacklistEntry", body="BlacklistCreate", code=201, roles=["supervisor"], ok_desc="created", errs=(400,401,403,404,409))},
 "/api/blacklist/{id}": {"delete": op("End a listing early (the record is kept)", "blacklist", "BlacklistEntry", [RID], roles=["supervisor"], errs=(401,403,404,409))},
})
paths["/api/cases/{id}/export"]["post"]["responses"]["200"] = {"description":"the ZIP package","content":{"application/zip":{"schema":{"type":"string","format":"binary"}}}}
paths["/api/reports/{id}/attachments/{n}"]["get"]["responses"]["200"] = {"description":"the attachment","content":{"application/octet-stream":{"schema":{"type":"string","format":"binary"}}}}
paths["/api/inspections/plan"]["post"]["responses"]["200"]["content"]["text/csv"] = {"schema":{"type":"string","description":"UTF-8 CSV with BOM, Chinese headers: 检查方式,统筹区,机构类型,编码,名称,等级,所有制,风险分"}}
paths["/api/reports"]["post"]["requestBody"]["content"]["multipart/form-data"] = {"schema": R("ReportSubmission")}
doc = {
 "openapi": "3.0.3",
 "info": {"title": "RingTrace investigation API", "version": "0.1.0",
   "description": "Graph exploration, detection jobs, findings, cases (案件), roles and audit for RingTrace. All /api routes except login and this description need `Authorization: Bearer <token>`. Access is deny-by-default per role (x-roles lists the roles allowed on each operation; finer rules — case assignment, police transfer, masking — apply inside). Errors are `{\"error\":{\"code\",\"field\",\"message\"}}`."},
 "servers": [{"url": "/"}],
 "security": [{"bearer": []}],
 "tags": [{"name": t} for t in ["auth","graph","jobs","findings","cases","inspection","referral","intake","blacklist","audit","users","meta"]],
 "paths": paths,
 "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}, "schemas": schemas},
}
import os
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "openapi.json")
with open(out, "w") as f:
    json.dump(doc, f, ensure_ascii=False, indent=1)
    f.write("\n")
print(out, len(paths), "paths")
