// The one HTTP client of the UI: bearer-token auth, JSON in and out, and the API's error shape
// ({"error":{code,field,message,message_en}}) turned into ApiError. Screens never call fetch.
import type {
  ApiErrorBody,
  Case,
  CaseCreate,
  CasePage,
  ClaimPage,
  EntityType,
  EntityView,
  ErrorCode,
  Job,
  JobComparison,
  JobPage,
  LoginResponse,
  Ring,
  RingPage,
  SearchResult,
  Subgraph,
  TemporalPath,
  Timeline,
  ViewSave,
  Transition,
  User,
  Ref,
  UserList,
  UserCreate,
  UserUpdate,
  PasswordChange,
  Recusal,
  RecusalCreate,
  JobCreate,
  NoteCreate,
  Assign,
  Attach,
  Extension,
  LoginRequest,
  Report,
  ReportPage,
  ReportReceipt,
  ReportPublicStatus,
  ReportSubmission,
  ReporterIdentity,
  Triage,
  TriageResult,
  ReportReject,
} from './types';

/** ClientErrorCode adds "network" (server unreachable) to the API's own codes. */
export type ClientErrorCode = ErrorCode | 'network';

/** ApiError is a failed call: the API's code, the input field it is about and both messages. */
export class ApiError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    readonly status: number,
    message: string,
    readonly messageEn: string = message,
    readonly field: string = '',
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Session is what sign-in returns and the UI keeps for the tab's lifetime. */
export interface Session {
  token: string;
  expiresAt: string;
  user: User;
  /** mustChangePassword is set for a one-time password: every other call is refused until it is changed. */
  mustChangePassword?: boolean;
}

type Query = Record<string, string | number | boolean | undefined | null>;

const sessionKey = 'ringtrace.session';

/** Client talks to the RingTrace API on the page's own origin. */
export class Client {
  private session: Session | null = null;
  /** onUnauthorized runs when the server says the session is gone (expired or logged out elsewhere). */
  onUnauthorized: () => void = () => {};

  constructor(
    private readonly base = '',
    private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined = undefined,
    private readonly fetchFn: typeof fetch = (...a) => fetch(...a),
  ) {
    const raw = storage?.getItem(sessionKey);
    if (raw) {
      try {
        const s = JSON.parse(raw) as Session;
        if (new Date(s.expiresAt).getTime() > Date.now()) this.session = s;
      } catch {
        storage?.removeItem(sessionKey);
      }
    }
  }

  /** current returns the signed-in session or null. */
  current(): Session | null {
    return this.session;
  }

  private async call<T>(method: string, path: string, query?: Query, body?: unknown): Promise<T> {
    const url = new URL(this.base + path, typeof location !== 'undefined' ? location.origin : 'http://localhost');
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.session) headers.Authorization = `Bearer ${this.session.token}`;
    let res: Response;
    try {
      res = await this.fetchFn(url.toString(), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError('network', 0, e instanceof Error ? e.message : String(e));
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let data: unknown = undefined;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = undefined;
      }
    }
    if (!res.ok) {
      const err = (data as ApiErrorBody | undefined)?.error;
      const code: ClientErrorCode = err?.code ?? statusCode(res.status);
      if (code === 'unauthorized' && this.session && path !== '/api/auth/login') {
        this.clear();
        this.onUnauthorized();
      }
      throw new ApiError(code, res.status, err?.message ?? res.statusText, err?.message_en ?? err?.message ?? res.statusText, err?.field ?? '');
    }
    return data as T;
  }

  private clear(): void {
    this.session = null;
    this.storage?.removeItem(sessionKey);
  }

  /** login signs in and keeps the session in sessionStorage (it ends with the tab). */
  async login(username: string, password: string): Promise<Session> {
    const body: LoginRequest = { username, password };
    const r = await this.call<LoginResponse>('POST', '/api/auth/login', undefined, body);
    this.session = { token: r.token, expiresAt: r.expires_at, user: r.user, mustChangePassword: r.must_change_password ?? false };
    this.storage?.setItem(sessionKey, JSON.stringify(this.session));
    return this.session;
  }

  /** logout ends the session on the server (best effort) and forgets it here. */
  async logout(): Promise<void> {
    try {
      if (this.session) await this.call<void>('POST', '/api/auth/logout');
    } finally {
      this.clear();
    }
  }

  /** changePassword replaces the signed-in user's password and clears the one-time flag. */
  async changePassword(oldPassword: string, newPassword: string): Promise<void> {
    const body: PasswordChange = { old_password: oldPassword, new_password: newPassword };
    await this.call<void>('POST', '/api/auth/password', undefined, body);
    if (this.session) {
      this.session.mustChangePassword = false;
      this.storage?.setItem(sessionKey, JSON.stringify(this.session));
    }
  }

  me(): Promise<User> {
    return this.call('GET', '/api/auth/me');
  }
  search(q: string, types?: EntityType[], limit = 20): Promise<SearchResult> {
    return this.call('GET', '/api/search', { q, types: types?.join(','), limit });
  }
  entity(type: EntityType, id: string): Promise<EntityView> {
    return this.call('GET', `/api/entities/${type}/${encodeURIComponent(id)}`);
  }
  // The aggregate view (the API's default) folds claims into party-to-party edges; view=claims
  // draws one node per claim.
  neighbourhood(type: EntityType, id: string, q: { depth?: number; limit?: number; types?: string; from?: string; to?: string; view?: 'aggregate' | 'claims' } = {}): Promise<Subgraph> {
    return this.call('GET', `/api/entities/${type}/${encodeURIComponent(id)}/neighbourhood`, q);
  }
  // with=type:id lists only the claims the two parties share: the claims behind one aggregated edge.
  claims(type: EntityType, id: string, q: { from?: string; to?: string; types?: string; offset?: number; limit?: number; with?: string } = {}): Promise<ClaimPage> {
    return this.call('GET', `/api/entities/${type}/${encodeURIComponent(id)}/claims`, q);
  }
  // The party's claims bucketed over all of them (server-side), with death date and inpatient stays.
  timeline(type: EntityType, id: string, q: { bucket?: 'day' | 'week' | 'month'; from?: string; to?: string; types?: string } = {}): Promise<Timeline> {
    return this.call('GET', `/api/entities/${type}/${encodeURIComponent(id)}/timeline`, q);
  }
  // temporalPath finds a time-ordered path: each claim on or after the previous, at most maxGapDays later.
  temporalPath(from: Ref, to: Ref, maxGapDays = 30, maxDepth = 6): Promise<TemporalPath> {
    return this.call('GET', '/api/paths/temporal', { from: `${from.type}:${from.id}`, to: `${to.type}:${to.id}`, max_gap_days: maxGapDays, max_depth: maxDepth });
  }
  path(from: Ref, to: Ref, maxDepth = 6): Promise<Subgraph> {
    return this.call('GET', '/api/paths', { from: `${from.type}:${from.id}`, to: `${to.type}:${to.id}`, max_depth: maxDepth });
  }
  rings(q: { job?: string; class?: 'ring' | 'lead'; kind?: string; min_score?: number; provider?: string; region?: string; sort?: string; offset?: number; limit?: number } = {}): Promise<RingPage> {
    return this.call('GET', '/api/rings', q);
  }
  ring(id: string, job?: string): Promise<Ring> {
    return this.call('GET', `/api/rings/${encodeURIComponent(id)}`, { job });
  }
  ringTimeline(id: string, job?: string, bucket: 'day' | 'week' | 'month' = 'week'): Promise<Timeline> {
    return this.call('GET', `/api/rings/${encodeURIComponent(id)}/timeline`, { job, bucket });
  }
  ringSubgraph(id: string, job?: string, limit?: number, view: 'aggregate' | 'claims' = 'aggregate'): Promise<Subgraph> {
    return this.call('GET', `/api/rings/${encodeURIComponent(id)}/subgraph`, { job, limit, view });
  }
  jobs(offset = 0, limit = 50): Promise<JobPage> {
    return this.call('GET', '/api/jobs', { offset, limit });
  }
  job(id: string): Promise<Job> {
    return this.call('GET', `/api/jobs/${encodeURIComponent(id)}`);
  }
  startJob(params: Record<string, unknown>, note?: string): Promise<Job> {
    // The description types params as a free-form object, which openapi-typescript renders as
    // Record<string, never>; the server validates each parameter (EINVALID with the field).
    const body: JobCreate = { params: params as JobCreate['params'], note };
    return this.call('POST', '/api/jobs', undefined, body);
  }
  cancelJob(id: string): Promise<Job> {
    return this.call('POST', `/api/jobs/${encodeURIComponent(id)}/cancel`);
  }
  compareJobs(a: string, b: string): Promise<JobComparison> {
    return this.call('GET', '/api/jobs/compare', { a, b });
  }
  params(): Promise<Record<string, unknown>> {
    return this.call('GET', '/api/config/params');
  }
  users(): Promise<UserList> {
    return this.call('GET', '/api/users');
  }
  createUser(u: UserCreate): Promise<User> {
    return this.call('POST', '/api/users', undefined, u);
  }
  updateUser(username: string, u: UserUpdate): Promise<User> {
    return this.call('PUT', `/api/users/${encodeURIComponent(username)}`, undefined, u);
  }
  recuse(caseId: string, reason: string): Promise<Recusal> {
    const body: RecusalCreate = { case_id: caseId, reason };
    return this.call('POST', '/api/recusals', undefined, body);
  }
  cases(q: { status?: string; overdue?: boolean; assignee?: string; offset?: number; limit?: number } = {}): Promise<CasePage> {
    return this.call('GET', '/api/cases', q);
  }
  case(id: string): Promise<Case> {
    return this.call('GET', `/api/cases/${encodeURIComponent(id)}`);
  }
  createCase(c: CaseCreate): Promise<Case> {
    return this.call('POST', '/api/cases', undefined, c);
  }
  transition(id: string, tr: Transition): Promise<Case> {
    return this.call('POST', `/api/cases/${encodeURIComponent(id)}/transition`, undefined, tr);
  }
  /**
   * fetchFile makes a call whose answer is a file, not JSON: the same auth and error handling as
   * call (the API's error body when there is one), the response left for the caller to read.
   */
  private async fetchFile(method: string, path: string, accept: string): Promise<Response> {
    const url = new URL(this.base + path, typeof location !== 'undefined' ? location.origin : 'http://localhost');
    const headers: Record<string, string> = { Accept: accept };
    if (this.session) headers.Authorization = `Bearer ${this.session.token}`;
    let res: Response;
    try {
      res = await this.fetchFn(url.toString(), { method, headers });
    } catch (e) {
      throw new ApiError('network', 0, e instanceof Error ? e.message : String(e));
    }
    if (!res.ok) {
      let err: ApiErrorBody['error'] | undefined;
      try {
        err = ((await res.json()) as ApiErrorBody).error;
      } catch {
        err = undefined;
      }
      const code: ClientErrorCode = err?.code ?? statusCode(res.status);
      if (code === 'unauthorized' && this.session) {
        this.clear();
        this.onUnauthorized();
      }
      throw new ApiError(code, res.status, err?.message ?? res.statusText, err?.message_en ?? err?.message ?? res.statusText, err?.field ?? '');
    }
    return res;
  }
  /** exportCase downloads the signed referral package (移送证据包) of a transferred case. */
  async exportCase(id: string): Promise<{ blob: Blob; filename: string; digest: string }> {
    const res = await this.fetchFile('POST', `/api/cases/${encodeURIComponent(id)}/export`, 'application/zip');
    const filename = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? `referral-${id}.zip`;
    return { blob: await res.blob(), filename, digest: res.headers.get('X-Manifest-SHA256') ?? '' };
  }
  addNote(id: string, text: string, version: number): Promise<Case> {
    const body: NoteCreate = { text, version };
    return this.call('POST', `/api/cases/${encodeURIComponent(id)}/notes`, undefined, body);
  }
  // saveView saves a workbench canvas (its location with the v= view state) with the case by name.
  saveView(id: string, name: string, link: string, version: number): Promise<Case> {
    const body: ViewSave = { name, link, version };
    return this.call('POST', `/api/cases/${encodeURIComponent(id)}/views`, undefined, body);
  }
  assign(id: string, assignee: string, version: number): Promise<Case> {
    const body: Assign = { assignee, version };
    return this.call('POST', `/api/cases/${encodeURIComponent(id)}/assign`, undefined, body);
  }
  attach(id: string, refs: Ref[], version: number): Promise<Case> {
    const body: Attach = { refs, version };
    return this.call('POST', `/api/cases/${encodeURIComponent(id)}/attachments`, undefined, body);
  }
  extension(id: string, action: Extension['action'], reason: string, version: number): Promise<Case> {
    const body: Extension = { action, reason, version };
    return this.call('POST', `/api/cases/${encodeURIComponent(id)}/extension`, undefined, body);
  }

  // Whistle-blower reports (举报): the public side needs no session; the desk's side is the intake role's.

  /** submitReport files a report without an account; the receipt code is shown once. */
  submitReport(r: ReportSubmission): Promise<ReportReceipt> {
    return this.call('POST', '/api/reports', undefined, r);
  }
  /** reportStatus is what a reporter sees with the receipt code. */
  reportStatus(code: string): Promise<ReportPublicStatus> {
    return this.call('GET', '/api/reports/status', { code });
  }
  /** claimReward claims the reward of a confirmed report with its receipt code. */
  claimReward(code: string): Promise<ReportPublicStatus> {
    return this.call('POST', '/api/reports/claim', undefined, { code });
  }
  reports(): Promise<ReportPage> {
    return this.call('GET', '/api/reports');
  }
  report(id: string): Promise<Report> {
    return this.call('GET', `/api/reports/${encodeURIComponent(id)}`);
  }
  /** reporterIdentity reveals the reporter's identity; the server audit-logs every call. */
  reporterIdentity(id: string): Promise<ReporterIdentity> {
    return this.call('GET', `/api/reports/${encodeURIComponent(id)}/identity`);
  }
  /** reportAttachment downloads one attachment (served as a download, never rendered). */
  async reportAttachment(id: string, n: number): Promise<Blob> {
    return (await this.fetchFile('GET', `/api/reports/${encodeURIComponent(id)}/attachments/${n}`, '*/*')).blob();
  }
  triageReport(id: string, t: Triage): Promise<TriageResult> {
    return this.call('POST', `/api/reports/${encodeURIComponent(id)}/triage`, undefined, t);
  }
  rejectReport(id: string, reason: string, version: number): Promise<Report> {
    const body: ReportReject = { reason, version };
    return this.call('POST', `/api/reports/${encodeURIComponent(id)}/reject`, undefined, body);
  }
}

function statusCode(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'invalid';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 429:
      return 'too_many';
    case 503:
      return 'unavailable';
    default:
      return 'internal';
  }
}
