// API types, derived from api/openapi.json by `npm run gen:api` (openapi-typescript), so that
// `npm run check` fails when the UI reads a field the API does not describe.
import type { components } from './schema';

type S = components['schemas'];

export type User = S['User'];
export type Role = User['role'];
export type LoginResponse = S['LoginResponse'];
export type Ref = S['Ref'];
export type EntityType = Ref['type'];
export type ApiNode = S['Node'];
export type ApiEdge = S['Edge'];
export type RelType = ApiEdge['type'];
export type Subgraph = S['Subgraph'];
export type Reason = S['Reason'];
export type RingSummary = S['RingSummary'];
export type EntityView = S['EntityView'];
export type SearchResult = S['SearchResult'];
export type Claim = S['Claim'];
export type ClaimPage = S['ClaimPage'];
export type Ring = S['Ring'];
export type RingPage = S['RingPage'];
export type Job = S['Job'];
export type JobStatus = Job['status'];
export type JobPage = S['JobPage'];
export type JobComparison = S['JobComparison'];
export type Case = S['Case'];
export type CaseStatus = Case['status'];
export type CasePage = S['CasePage'];
export type CaseCreate = S['CaseCreate'];
export type Deadline = S['Deadline'];
export type Transition = S['Transition'];
export type ApiErrorBody = S['Error'];
export type ErrorCode = ApiErrorBody['error']['code'];
export type UserList = S['UserList'];
export type UserCreate = S['UserCreate'];
export type UserUpdate = S['UserUpdate'];
export type PasswordChange = S['PasswordChange'];
export type RecusalCreate = S['RecusalCreate'];
export type Recusal = S['Recusal'];
export type JobCreate = S['JobCreate'];
export type NoteCreate = S['NoteCreate'];
export type Assign = S['Assign'];
export type Attach = S['Attach'];
export type Extension = S['Extension'];
export type LoginRequest = S['LoginRequest'];
