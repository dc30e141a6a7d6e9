import { z } from 'zod';

/**
 * The catalogue of audited actions. Each action has a payload schema, so what a compliance officer
 * reads is documented here and validated before it is written.
 */
const hash = z.string().regex(/^[0-9a-f]{64}$/);

export const auditPayloads = {
  'consortium.initialized': z.object({ name: z.string() }),
  'admin.token_created': z.object({ label: z.string() }),
  'study.created': z.object({ name: z.string(), specHash: hash, secureAggregation: z.string() }),
  'study.started': z.object({ sites: z.array(z.string()), crpSeed: z.string().optional() }),
  'study.key_ceremony_started': z.object({ epoch: z.number().int(), committee: z.array(z.string()), threshold: z.number().int(), crpSeed: z.string() }),
  'study.key_ceremony_completed': z.object({ epoch: z.number().int().optional(), publicKeyHash: hash, shareHashes: z.record(z.string(), hash) }),
  'study.rekey_requested': z.object({ epoch: z.number().int(), reason: z.string() }),
  'study.privacy_budget_spent': z.object({ epsilonSpent: z.number(), epsilonBudget: z.number(), rounds: z.number().int() }),
  'study.completed': z.object({ rounds: z.number().int(), finalModelVersionId: z.string().nullable(), note: z.string().optional() }),
  'study.failed': z.object({ reason: z.string() }),
  'study.paused': z.object({ reason: z.string().nullable() }),
  'study.resumed': z.object({ pausedAt: z.string(), pausedForMs: z.number().int(), deadlinesMovedBy: z.number().int() }),
  'study.stopped': z.object({ reason: z.string(), abandonedRounds: z.array(z.number().int()) }),
  'enrollment.token_issued': z.object({ siteName: z.string(), expiresAt: z.string() }),
  'enrollment.token_revoked': z.object({ siteName: z.string() }),
  'site.enrolled': z.object({ siteName: z.string(), publicKeyFingerprint: z.string(), newSite: z.boolean() }),
  /** A site's decision on a study (its site administrator, or its agent's operator at enrolment). */
  'site.consent_decided': z.object({
    siteName: z.string(),
    consent: z.enum(['approved', 'declined']),
    previous: z.enum(['pending', 'approved', 'declined']),
    note: z.string().nullable(),
    /** Set when an approval is withdrawn: what that means for the study. */
    effect: z.string().optional(),
  }),
  'site.revoked': z.object({ siteName: z.string(), reason: z.string() }),
  'site.key_rotated': z.object({ siteName: z.string(), previousFingerprint: z.string(), publicKeyFingerprint: z.string() }),
  'site.key_share_accepted': z.object({ shareHash: hash, bytes: z.number().int() }),
  'site.shares_dealt': z.object({ epoch: z.number().int(), payloadHash: hash, recipients: z.number().int() }),
  'site.key_confirmed': z.object({ epoch: z.number().int(), publicKeyHash: hash }),
  'round.opened': z.object({ index: z.number().int(), kind: z.string(), participants: z.array(z.string()), deadlineAt: z.string() }),
  'round.submission_accepted': z.object({ payloadHash: hash, bytes: z.number().int(), submissionsSoFar: z.number().int() }),
  'round.aggregation_closed': z.object({ submissions: z.number().int(), aggregateHash: hash, reason: z.string() }),
  'round.decryptors_chosen': z.object({ attempt: z.number().int(), decryptors: z.array(z.string()), excluded: z.array(z.string()), attemptDeadlineAt: z.string() }),
  'round.decryption_share_accepted': z.object({ payloadHash: hash, bytes: z.number().int(), sharesSoFar: z.number().int(), attempt: z.number().int().optional() }),
  'round.decryption_refused': z.object({ attempt: z.number().int(), reason: z.string() }),
  'round.completed': z.object({ index: z.number().int(), summary: z.record(z.string(), z.unknown()) }),
  'round.failed': z.object({ index: z.number().int(), reason: z.string() }),
  'model.published': z.object({ version: z.number().int(), parametersHash: hash, parameterCount: z.number().int() }),
  'evaluation.reported': z.object({ modelVersionId: z.string(), final: z.boolean(), accuracy: z.number(), n: z.number().int() }),
  // Contribution accounting (packages/domain/src/contribution, docs/contribution.md). Amounts are micro-credits as decimal strings.
  'contribution.claim_reported': z.object({ index: z.number().int(), claim: z.record(z.string(), z.unknown()), payloadHash: hash }),
  'contribution.opened': z.object({
    sites: z.number().int(),
    declarations: z.number().int(),
    rarity: z.record(z.string(), z.number()),
    evidence: z.array(z.object({ kind: z.string(), siteId: z.string().nullable(), round: z.number().int(), reason: z.string() }).loose()),
    entries: z.array(z.string()),
  }),
  'contribution.round_settled': z.object({
    version: z.number().int(),
    closedBy: z.enum(['all-reported', 'deadline']),
    rewards: z.record(z.string(), z.string()),
    slashes: z.record(z.string(), z.string()),
    flagged: z.array(z.string()),
  }),
  'contribution.anomaly_flagged': z.object({ version: z.number().int(), evidence: z.object({ kind: z.string(), siteId: z.string().nullable(), round: z.number().int(), reason: z.string() }).loose() }),
  'contribution.misconduct_confirmed': z.object({ version: z.number().int(), basis: z.string().nullable(), slashedMicro: z.string() }),
  'contribution.settlement_deferred': z.object({ reason: z.string() }),
  'contribution.protocol_violation': z.object({ reason: z.enum(['invalid-ciphertext', 'replayed-ciphertext']), detail: z.string(), payloadHash: hash }),
  // People's accounts (packages/domain/src/users). Actors are `user:<userId>`; payloads name the account.
  'auth.login_succeeded': z.object({ userId: z.string(), email: z.string(), sessionId: z.string(), ip: z.string().nullable() }),
  'auth.login_failed': z.object({ email: z.string(), reason: z.enum(['unknown_email', 'wrong_password', 'disabled', 'rate_limited']), ip: z.string().nullable() }),
  'auth.logout': z.object({ userId: z.string(), sessionId: z.string() }),
  'user.created': z.object({ userId: z.string(), email: z.string(), displayName: z.string(), role: z.string(), siteId: z.string().nullable() }),
  'user.disabled': z.object({ userId: z.string(), email: z.string(), sessionsRevoked: z.number().int() }),
  'user.role_changed': z.object({ userId: z.string(), email: z.string(), from: z.string(), to: z.string(), siteId: z.string().nullable() }),
  'user.sessions_revoked': z.object({ userId: z.string(), email: z.string(), sessionsRevoked: z.number().int() }),
  'user.password_changed': z.object({ userId: z.string(), sessionsRevoked: z.number().int() }),
  // A wrong current password when changing one's password (a stolen session guessing), or the first refusal over the limit.
  'user.password_change_failed': z.object({ userId: z.string(), reason: z.enum(['wrong_password', 'rate_limited']) }),
  'study.lead_assigned': z.object({ leadUserId: z.string().nullable(), previousLeadUserId: z.string().nullable() }),
  // A person downloaded a signed export of this log (the hub's GET /v1/audit/export): what they took.
  'audit.exported': z.object({ format: z.enum(['csv', 'ndjson']), filter: z.record(z.string(), z.string()), throughSeq: z.number().int(), count: z.number().int() }),
} as const;

export type AuditAction = keyof typeof auditPayloads;
export const auditActions = Object.keys(auditPayloads) as AuditAction[];

/** What a caller records; the chain fields (seq, time, hashes) are added by `appendAuditEvent`. */
export type AuditEventInput = {
  [A in AuditAction]: {
    action: A;
    /** Who did it: `hub`, `admin:<label>`, `site:<siteId>`, `cli`. */
    actor: string;
    studyId?: string | null;
    siteId?: string | null;
    roundId?: string | null;
    payload: z.input<(typeof auditPayloads)[A]>;
  };
}[AuditAction];

/** A stored event, as hashed. */
export interface AuditRecord {
  seq: number;
  occurredAt: Date;
  actor: string;
  action: string;
  studyId: string | null;
  siteId: string | null;
  roundId: string | null;
  payload: unknown;
  prevHash: string;
  hash: string;
}
