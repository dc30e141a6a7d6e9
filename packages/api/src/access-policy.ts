/**
 * THE access policy: for every procedure of the app router, who may call it and on what. Procedures
 * do not name roles themselves — the base procedures (trpc.ts) look their path up here on every
 * call, and refuse a path that is missing (so the table cannot drift from the code), and the access
 * matrix test calls every procedure as every role and compares with this table.
 *
 * Kinds: `public` (no credentials), `site` (signed by a site agent's identity key: outside the
 * people's matrix), `user` (a person's session, or an administrator token acting as a
 * consortium_admin). For `user` entries, each role that may call the procedure maps to a scope:
 *
 *  - any          every resource;
 *  - ledStudy     studies whose lead is the caller (study leads). On a study-creating call: the new
 *                 study is led by the caller;
 *  - memberStudy  studies the caller's site is a member of (site admins);
 *  - ownSite      the caller's own site (site admins);
 *  - self         the caller's own account (sign-out, password).
 *
 * With `resource`, the scope is checked against the study / enrolment token / site the input names
 * before the procedure runs; without it the procedure applies the scope (lists show only what is in
 * scope). Compliance officers are read-only: no mutation grants them more than `self`, which the
 * base procedure enforces as well. docs/access-control.md shows this table (a test keeps it equal).
 */
import type { UserRole } from '@consilium/domain';

export const Scope = {
  ANY: 'any',
  LED_STUDY: 'ledStudy',
  MEMBER_STUDY: 'memberStudy',
  OWN_SITE: 'ownSite',
  SELF: 'self',
} as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

/** Where in a call's input the resource of a scoped check is named. */
export const Resource = {
  /** `input.studyId`. */
  STUDY: 'study',
  /** `input.tokenId`: the enrolment token's study. */
  ENROLLMENT_TOKEN: 'enrollmentToken',
  /** `input.siteName`. */
  SITE: 'site',
} as const;
export type Resource = (typeof Resource)[keyof typeof Resource];

export type RoleGrants = Partial<Record<UserRole, Scope>>;

export type ProcedurePolicy =
  | { kind: 'public'; why: string }
  | { kind: 'site' }
  | {
      kind: 'user';
      roles: RoleGrants;
      resource?: Resource;
      /** Callable while a one-time password still has to be changed (everything else is refused until then). */
      beforePasswordChange?: true;
    };

const { ANY, LED_STUDY, MEMBER_STUDY, OWN_SITE, SELF } = Scope;
const site = { kind: 'site' } as const;
const everyoneSelf: RoleGrants = { consortium_admin: SELF, study_lead: SELF, site_admin: SELF, compliance_officer: SELF };

export const accessPolicy: Readonly<Record<string, ProcedurePolicy>> = {
  'health.check': { kind: 'public', why: 'liveness for agents, the portal and load balancers' },
  'enrollment.enroll': { kind: 'public', why: 'the one-time enrolment token is the credential' },

  'auth.login': { kind: 'public', why: 'the e-mail and password are the credential (rate-limited)' },
  'auth.me': { kind: 'user', roles: everyoneSelf, beforePasswordChange: true },
  'auth.logout': { kind: 'user', roles: everyoneSelf, beforePasswordChange: true },
  'auth.changePassword': { kind: 'user', roles: everyoneSelf, beforePasswordChange: true },

  'users.list': { kind: 'user', roles: { consortium_admin: ANY, compliance_officer: ANY } },
  'users.create': { kind: 'user', roles: { consortium_admin: ANY } },
  'users.setRole': { kind: 'user', roles: { consortium_admin: ANY } },
  'users.disable': { kind: 'user', roles: { consortium_admin: ANY } },
  'users.revokeSessions': { kind: 'user', roles: { consortium_admin: ANY } },

  'studies.list': { kind: 'user', roles: { consortium_admin: ANY, compliance_officer: ANY, study_lead: LED_STUDY, site_admin: MEMBER_STUDY } },
  'studies.progress': {
    kind: 'user',
    roles: { consortium_admin: ANY, compliance_officer: ANY, study_lead: LED_STUDY, site_admin: MEMBER_STUDY },
    resource: Resource.STUDY,
  },
  'studies.create': { kind: 'user', roles: { consortium_admin: ANY, study_lead: LED_STUDY } },
  'studies.start': { kind: 'user', roles: { consortium_admin: ANY, study_lead: LED_STUDY }, resource: Resource.STUDY },
  'studies.rekey': { kind: 'user', roles: { consortium_admin: ANY, study_lead: LED_STUDY }, resource: Resource.STUDY },
  'studies.issueToken': { kind: 'user', roles: { consortium_admin: ANY, study_lead: LED_STUDY }, resource: Resource.STUDY },
  'studies.revokeToken': { kind: 'user', roles: { consortium_admin: ANY, study_lead: LED_STUDY }, resource: Resource.ENROLLMENT_TOKEN },
  'studies.assignLead': { kind: 'user', roles: { consortium_admin: ANY } },
  'studies.pause': { kind: 'user', roles: { consortium_admin: ANY, study_lead: LED_STUDY }, resource: Resource.STUDY },
  'studies.resume': { kind: 'user', roles: { consortium_admin: ANY, study_lead: LED_STUDY }, resource: Resource.STUDY },
  'studies.stop': { kind: 'user', roles: { consortium_admin: ANY, study_lead: LED_STUDY }, resource: Resource.STUDY },
  'studies.tokens': { kind: 'user', roles: { consortium_admin: ANY, compliance_officer: ANY, study_lead: LED_STUDY }, resource: Resource.STUDY },

  'sites.list': { kind: 'user', roles: { consortium_admin: ANY, compliance_officer: ANY, study_lead: ANY, site_admin: OWN_SITE } },
  'sites.revoke': { kind: 'user', roles: { consortium_admin: ANY, site_admin: OWN_SITE }, resource: Resource.SITE },
  'sites.uploads': { kind: 'user', roles: { consortium_admin: ANY, compliance_officer: ANY, site_admin: OWN_SITE }, resource: Resource.SITE },
  'sites.detail': { kind: 'user', roles: { consortium_admin: ANY, compliance_officer: ANY, site_admin: OWN_SITE }, resource: Resource.SITE },
  // Consent is the site's own: only its site administrator gives it (or its agent's operator at enrolment).
  'sites.decideConsent': { kind: 'user', roles: { site_admin: OWN_SITE }, resource: Resource.SITE },

  'contribution.summary': {
    kind: 'user',
    roles: { consortium_admin: ANY, compliance_officer: ANY, study_lead: LED_STUDY, site_admin: MEMBER_STUDY },
    resource: Resource.STUDY,
  },
  'contribution.statement': {
    kind: 'user',
    roles: { consortium_admin: ANY, compliance_officer: ANY, study_lead: LED_STUDY, site_admin: MEMBER_STUDY },
    resource: Resource.STUDY,
  },

  'audit.verify': { kind: 'user', roles: { consortium_admin: ANY, compliance_officer: ANY } },
  'audit.events': { kind: 'user', roles: { consortium_admin: ANY, compliance_officer: ANY } },
  'audit.actions': { kind: 'user', roles: { consortium_admin: ANY, compliance_officer: ANY } },

  'agent.poll': site,
  'agent.study': site,
  'agent.submitKeyShare': site,
  'agent.submitDealing': site,
  'agent.confirmKey': site,
  'agent.reportRefusal': site,
  'agent.submitUpdate': site,
  'agent.submitDecryptionShare': site,
  'agent.reportEvaluation': site,
  'agent.reportClaim': site,
  'agent.rotateKey': site,
};

/** The policy of a procedure path; undefined for a path the table does not know (refused by the caller). */
export function policyOf(path: string): ProcedurePolicy | undefined {
  return Object.hasOwn(accessPolicy, path) ? accessPolicy[path] : undefined;
}
