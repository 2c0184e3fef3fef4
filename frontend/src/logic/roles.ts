// What each role may do in the UI, mirroring the API's role table (docs/api.md). The UI hides what
// a role may not do; the API still refuses it (deny by default), so this is convenience, not
// security.
import type { CaseStatus, Role } from '../api/types';

/** Capability is one thing a screen may offer. */
export type Capability =
  | 'findings'
  | 'workbench'
  | 'entity'
  | 'jobs.view'
  | 'jobs.run'
  | 'cases.view'
  | 'cases.create'
  | 'cases.work' // notes, attachments, transitions, extension requests
  | 'cases.assign'
  | 'cases.approve' // 立案, 移送, 结案 and extension approval
  | 'cases.export' // 导出移送证据包: the referral package of a transferred case
  | 'users' // user administration (admin only: admins see no case or personal data)
  | 'reports'; // the whistle-blower intake desk (举报受理)

const table: Record<Role, Capability[]> = {
  analyst: ['findings', 'workbench', 'entity', 'jobs.view', 'jobs.run', 'cases.view', 'cases.create'],
  investigator: ['findings', 'workbench', 'entity', 'jobs.view', 'cases.view', 'cases.create', 'cases.work'],
  supervisor: ['findings', 'workbench', 'entity', 'jobs.view', 'jobs.run', 'cases.view', 'cases.create', 'cases.work', 'cases.assign', 'cases.approve', 'cases.export'],
  police: ['entity', 'cases.view', 'cases.export'],
  admin: ['users'],
  // The whistle-blower intake desk sees reports, never a case or graph screen (docs/referral.md).
  intake: ['reports'],
};

/** can reports whether role may use a capability. */
export function can(role: Role | undefined, cap: Capability): boolean {
  return role !== undefined && table[role].includes(cap);
}

/**
 * canExport reports whether role may export the referral package of a case: only a transferred
 * case, and police only one transferred to police (the API refuses the rest).
 */
export function canExport(role: Role | undefined, status: CaseStatus, transferTo?: string): boolean {
  if (status !== 'transferred' || !can(role, 'cases.export')) return false;
  return role !== 'police' || transferTo === 'police';
}

/** Screen is a top-level screen of the shell. */
export type Screen = 'findings' | 'workbench' | 'cases' | 'jobs' | 'users' | 'reports';

/** screensFor lists the screens a role sees in the navigation, in display order. */
export function screensFor(role: Role): Screen[] {
  const out: Screen[] = [];
  if (can(role, 'findings')) out.push('findings');
  if (can(role, 'workbench')) out.push('workbench');
  if (can(role, 'cases.view')) out.push('cases');
  if (can(role, 'jobs.view')) out.push('jobs');
  if (can(role, 'users')) out.push('users');
  if (can(role, 'reports')) out.push('reports');
  return out;
}

/** NextStep is a status move the case screen offers. */
export interface NextStep {
  to: Exclude<CaseStatus, 'lead'>;
  transferTo?: 'administrative' | 'police';
}

/**
 * nextSteps lists the moves a role may make from a status, following the workflow in
 * docs/api.md: 线索 lead → 核查 verification → 立案 opened → 移送 transferred → 结案 closed, and
 * verification → closed when the suspicion is not confirmed. Opening, transferring and closing
 * are supervisor approvals; an investigator starts the verification.
 */
export function nextSteps(role: Role, status: CaseStatus): NextStep[] {
  const work = can(role, 'cases.work');
  const approve = can(role, 'cases.approve');
  switch (status) {
    case 'lead':
      return work ? [{ to: 'verification' }] : [];
    case 'verification':
      return approve ? [{ to: 'opened' }, { to: 'closed' }] : [];
    case 'opened':
      return approve
        ? [{ to: 'transferred', transferTo: 'administrative' }, { to: 'transferred', transferTo: 'police' }, { to: 'closed' }]
        : [];
    case 'transferred':
      return approve ? [{ to: 'closed' }] : [];
    default:
      return [];
  }
}
