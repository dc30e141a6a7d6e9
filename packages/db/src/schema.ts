/**
 * The hub's database schema. One consortium per hub; sites enrol into studies; a study runs rounds;
 * every accepted submission is folded into the round's encrypted accumulator (`round_chunks`) in the
 * transaction that records it. The submitted ciphertexts are also kept (`submission_chunks`) until
 * the round is decrypted, because every decryptor recomputes the aggregate from them before it
 * helps decrypt it (no decryption oracle); they are deleted when the round completes or fails.
 *
 * Migrations are generated from this file with `npm run generate -w @consilium/db` and committed.
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { bytea } from './bytea.ts';

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const consortium = pgTable('consortium', {
  id: integer('id').primaryKey().default(1),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

export const sites = pgTable('sites', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  /** Base64 of the site agent's raw Ed25519 public key: every agent request is verified with it. */
  publicKey: text('public_key').notNull(),
  status: text('status', { enum: ['active', 'revoked'] }).notNull().default('active'),
  enrolledAt: createdAt(),
  lastSeenAt: ts('last_seen_at'),
  agentVersion: text('agent_version'),
  backend: text('backend'),
});

/** Bootstrap credentials for the admin CLI; they act as a consortium administrator. Only hashes are stored. */
export const adminTokens = pgTable('admin_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  tokenHash: text('token_hash').notNull().unique(),
  label: text('label').notNull(),
  createdAt: createdAt(),
  revokedAt: ts('revoked_at'),
});

/** Roles of people's accounts (see docs/access-control.md for what each may do). */
export const userRoles = ['consortium_admin', 'study_lead', 'site_admin', 'compliance_officer'] as const;

/** A site's decision on a study it was invited to (see `study_sites.consent`). */
export const studyConsents = ['pending', 'approved', 'declined'] as const;
export type StudyConsent = (typeof studyConsents)[number];
export type UserRoleValue = (typeof userRoles)[number];

/**
 * People's accounts (sites' agents authenticate with their identity keys instead). A site admin is
 * bound to exactly one site and nobody else is bound to one — a CHECK, so no code path can create
 * an unscoped site admin. E-mails are stored lower-cased (also a CHECK): uniqueness is case-blind.
 */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull().unique(),
    displayName: text('display_name').notNull(),
    role: text('role', { enum: userRoles }).notNull(),
    siteId: uuid('site_id').references(() => sites.id),
    /** `scrypt$N$r$p$salt$hash` (base64 salt and hash); never the password. */
    passwordHash: text('password_hash').notNull(),
    /** Set for one-time passwords handed out by someone else: only a password change is allowed until then. */
    passwordChangeRequired: boolean('password_change_required').notNull().default(true),
    passwordChangedAt: ts('password_changed_at'),
    createdAt: createdAt(),
    disabledAt: ts('disabled_at'),
  },
  (t) => [
    index('users_site_idx').on(t.siteId),
    check('users_email_lower_ck', sql`email = lower(email)`),
    check('users_role_ck', sql.raw(`role in (${userRoles.map((r) => `'${r}'`).join(', ')})`)),
    check('users_site_admin_site_ck', sql`(role = 'site_admin') = (site_id is not null)`),
  ],
);

/**
 * Sign-in sessions. Only the SHA-256 of the session token is stored, so a database leak yields no
 * usable session. A session ends at `expiresAt`, after the idle limit since `lastSeenAt`, or when
 * revoked (logout, an administrator, disabling the account, a password change).
 */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
    lastSeenAt: ts('last_seen_at').notNull(),
    revokedAt: ts('revoked_at'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/**
 * Sign-in attempt counters in fixed windows, per e-mail and per client IP, in the database so that
 * every hub replica counts against the same limit. Keys are `email:` or `ip:` and a SHA-256: the
 * table counts, it does not log who tried (the audit log records each attempt).
 */
export const loginRateLimits = pgTable(
  'login_rate_limits',
  {
    key: text('key').primaryKey(),
    windowStart: ts('window_start').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [index('login_rate_limits_window_idx').on(t.windowStart)],
);

export const studies = pgTable('studies', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  /** The validated StudySpec (see @consilium/schemas). */
  spec: jsonb('spec').notNull(),
  /** `stopped`: ended early by its lead or an administrator (`stopReason` says why); models published so far are kept. */
  status: text('status', { enum: ['enrolling', 'keygen', 'running', 'completed', 'failed', 'stopped'] }).notNull().default('enrolling'),
  /** Public seed of the common random polynomial of the key ceremony. */
  crpSeed: bytea('crp_seed'),
  /** Collective CKKS public key (sum of the sites' shares). The hub holds no secret key. */
  publicKey: bytea('public_key'),
  publicKeyHash: text('public_key_hash'),
  /** Increases at every re-keying; rounds record the epoch they were encrypted under. */
  keyEpoch: integer('key_epoch').notNull().default(0),
  /** The decryption committee of the current epoch: site ids in order (point = position + 1). */
  committee: jsonb('committee').$type<string[]>(),
  threshold: integer('threshold'),
  /** Consortium-wide statistics decrypted from the statistics round (feature means/stds, sample total). */
  statistics: jsonb('statistics'),
  totalSamples: integer('total_samples'),
  failureReason: text('failure_reason'),
  createdAt: createdAt(),
  startedAt: ts('started_at'),
  /** When the current key epoch's ceremony began (its deadline runs from here). */
  ceremonyStartedAt: ts('ceremony_started_at'),
  completedAt: ts('completed_at'),
  /**
   * The study lead who manages the study (a `users` row with role study_lead). Null for studies made
   * with an administrator token or before accounts existed: only administrators manage those.
   */
  leadUserId: uuid('lead_user_id').references(() => users.id),
  /**
   * Set while the study is paused: agents get no tasks, the hub accepts no upload for it and no
   * deadline runs out; on resume the open round's (or ceremony's) deadline moves by the pause.
   */
  pausedAt: ts('paused_at'),
  stoppedAt: ts('stopped_at'),
  stopReason: text('stop_reason'),
});

export const enrollmentTokens = pgTable(
  'enrollment_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** SHA-256 of the one-time token; the token itself is shown once and never stored. */
    tokenHash: text('token_hash').notNull().unique(),
    studyId: uuid('study_id')
      .notNull()
      .references(() => studies.id),
    siteName: text('site_name').notNull(),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
    usedBySiteId: uuid('used_by_site_id').references(() => sites.id),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('enrollment_tokens_study_idx').on(t.studyId)],
);

export const studySites = pgTable(
  'study_sites',
  {
    studyId: uuid('study_id')
      .notNull()
      .references(() => studies.id),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
    joinedAt: createdAt(),
    /** The site's public-key share from the key ceremony (public; its secret share never leaves the site). */
    keyShare: bytea('key_share'),
    keyShareHash: text('key_share_hash'),
    keyShareSignature: text('key_share_signature'),
    keyShareAt: ts('key_share_at'),
    /** The member's X25519 key that dealt Shamir shares are sealed to (signed with its key share). */
    boxPublicKey: bytea('box_public_key'),
    dealtAt: ts('dealt_at'),
    dealingSignature: text('dealing_signature'),
    /** The collective public key hash the member recomputed itself and confirmed. */
    confirmedPublicKeyHash: text('confirmed_public_key_hash'),
    /**
     * The site's decision to take part (its site administrator, or its agent's operator at
     * enrolment). Until `approved`, the site is not a participant: no tasks, no upload accepted,
     * not counted for starting the study or in its key committee.
     */
    consent: text('consent', { enum: studyConsents }).notNull().default('pending'),
    consentDecidedAt: ts('consent_decided_at'),
    /** The actor who decided (`user:<id>` or `site:<id>`). */
    consentDecidedBy: text('consent_decided_by'),
    consentNote: text('consent_note'),
  },
  (t) => [
    primaryKey({ columns: [t.studyId, t.siteId] }),
    check('study_sites_consent_ck', sql.raw(`consent in (${studyConsents.map((c) => `'${c}'`).join(', ')})`)),
  ],
);

export const rounds = pgTable(
  'rounds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    studyId: uuid('study_id')
      .notNull()
      .references(() => studies.id),
    index: integer('index').notNull(),
    kind: text('kind', { enum: ['stats', 'train'] }).notNull(),
    status: text('status', { enum: ['open', 'collecting', 'decrypting', 'complete', 'failed'] }).notNull(),
    /** Site ids asked to submit (and, n-of-n, to decrypt). */
    participants: jsonb('participants').$type<string[]>().notNull(),
    /** The VectorEncoding sites must use (scheme, scale, length, chunks). */
    encoding: jsonb('encoding').notNull(),
    /** The global model version sites start from (train rounds after the first). */
    baseModelVersionId: uuid('base_model_version_id'),
    openedAt: createdAt(),
    deadlineAt: ts('deadline_at').notNull(),
    /** When the aggregate was sealed (no more submissions). */
    sealedAt: ts('sealed_at'),
    decryptDeadlineAt: ts('decrypt_deadline_at'),
    completedAt: ts('completed_at'),
    failureReason: text('failure_reason'),
    submissionCount: integer('submission_count').notNull().default(0),
    shareCount: integer('share_count').notNull().default(0),
    /** SHA-256 over the sealed aggregate chunks: what decryptors fetch and must agree on. */
    aggregateHash: text('aggregate_hash'),
    /** The key epoch the round's updates are encrypted under. */
    keyEpoch: integer('key_epoch').notNull().default(0),
    /** Committee members asked to decrypt in the current attempt (t of them). */
    decryptors: jsonb('decryptors').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    decryptAttempt: integer('decrypt_attempt').notNull().default(0),
    attemptDeadlineAt: ts('attempt_deadline_at'),
    /** Members that did not answer an earlier attempt (or refused): not asked again this round. */
    excludedDecryptors: jsonb('excluded_decryptors').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    /** What the round produced (aggregated metrics, statistics summary). */
    result: jsonb('result'),
  },
  (t) => [uniqueIndex('rounds_study_index_uq').on(t.studyId, t.index), index('rounds_status_idx').on(t.status)],
);

/** The round's running aggregate, one row per ciphertext chunk (or one float64 chunk in plaintext studies). */
export const roundChunks = pgTable(
  'round_chunks',
  {
    roundId: uuid('round_id')
      .notNull()
      .references(() => rounds.id),
    chunkIndex: integer('chunk_index').notNull(),
    accumulator: bytea('accumulator').notNull(),
    /** Running sum of the sites' partial decryptions of this chunk. */
    shareSum: bytea('share_sum'),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.chunkIndex] })],
);

/**
 * The ciphertext chunks of accepted submissions, kept only while the round is being decrypted: each
 * decryptor re-adds them (checking every site's signature) before it helps decrypt the aggregate.
 */
export const submissionChunks = pgTable(
  'submission_chunks',
  {
    roundId: uuid('round_id')
      .notNull()
      .references(() => rounds.id),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
    chunkIndex: integer('chunk_index').notNull(),
    ciphertext: bytea('ciphertext').notNull(),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.siteId, t.chunkIndex] })],
);

/** Shamir shares dealt in a key ceremony, each sealed to its recipient's box key (the hub cannot open them). */
export const dealtShares = pgTable(
  'dealt_shares',
  {
    studyId: uuid('study_id')
      .notNull()
      .references(() => studies.id),
    epoch: integer('epoch').notNull(),
    dealerSiteId: uuid('dealer_site_id')
      .notNull()
      .references(() => sites.id),
    recipientSiteId: uuid('recipient_site_id')
      .notNull()
      .references(() => sites.id),
    sealed: bytea('sealed').notNull(),
  },
  (t) => [primaryKey({ columns: [t.studyId, t.epoch, t.dealerSiteId, t.recipientSiteId] })],
);

/** One row per accepted submission: what was accepted (the ciphertexts are in submission_chunks while needed). */
export const submissions = pgTable(
  'submissions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    roundId: uuid('round_id')
      .notNull()
      .references(() => rounds.id),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
    payloadHash: text('payload_hash').notNull(),
    payloadBytes: integer('payload_bytes').notNull(),
    signature: text('signature').notNull(),
    receivedAt: createdAt(),
  },
  (t) => [uniqueIndex('submissions_round_site_uq').on(t.roundId, t.siteId)],
);

export const decryptionShares = pgTable(
  'decryption_shares',
  {
    roundId: uuid('round_id')
      .notNull()
      .references(() => rounds.id),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
    payloadHash: text('payload_hash').notNull(),
    payloadBytes: integer('payload_bytes').notNull(),
    signature: text('signature').notNull(),
    /** The decryption attempt (decryptor set) the share was computed for. */
    attempt: integer('attempt').notNull().default(1),
    receivedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.siteId, t.attempt] })],
);

export const modelVersions = pgTable(
  'model_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    studyId: uuid('study_id')
      .notNull()
      .references(() => studies.id),
    roundId: uuid('round_id')
      .notNull()
      .references(() => rounds.id)
      .unique(),
    version: integer('version').notNull(),
    /** Flat float32 little-endian parameters in TensorFlow.js weight order. */
    parameters: bytea('parameters').notNull(),
    parameterCount: integer('parameter_count').notNull(),
    parametersHash: text('parameters_hash').notNull(),
    /** Aggregated training metrics of the round that produced it. */
    metrics: jsonb('metrics').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('model_versions_study_version_uq').on(t.studyId, t.version)],
);

/** A site's signed evaluation of a global model on its held-out data. */
export const evaluations = pgTable(
  'evaluations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    studyId: uuid('study_id')
      .notNull()
      .references(() => studies.id),
    modelVersionId: uuid('model_version_id')
      .notNull()
      .references(() => modelVersions.id),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
    final: boolean('final').notNull().default(false),
    metrics: jsonb('metrics').notNull(),
    signature: text('signature').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('evaluations_model_site_uq').on(t.modelVersionId, t.siteId)],
);

/** Nonces of signed requests inside the clock-skew window, so a captured request cannot be replayed. */
export const requestNonces = pgTable(
  'request_nonces',
  {
    siteId: uuid('site_id').notNull(),
    nonce: text('nonce').notNull(),
    seenAt: ts('seen_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.nonce] }), index('request_nonces_seen_idx').on(t.seenAt)],
);

/**
 * The tamper-evident audit log: each event carries the hash of the previous one. `seq` is assigned
 * under a lock on `audit_head`, so the chain has no gaps and a single order.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    occurredAt: ts('occurred_at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    studyId: uuid('study_id'),
    siteId: uuid('site_id'),
    roundId: uuid('round_id'),
    payload: jsonb('payload').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    index('audit_events_study_idx').on(t.studyId, t.seq),
    index('audit_events_site_idx').on(t.siteId, t.seq),
    index('audit_events_action_idx').on(t.action, t.seq),
    index('audit_events_actor_idx').on(t.actor, t.seq),
    index('audit_events_time_idx').on(t.occurredAt),
  ],
);

/** Single row: the last sequence number and hash of the audit chain (detects truncation of its tail). */
export const auditHead = pgTable('audit_head', {
  id: integer('id').primaryKey().default(1),
  seq: bigint('seq', { mode: 'number' }).notNull().default(0),
  hash: text('hash').notNull(),
  updatedAt: ts('updated_at')
    .notNull()
    .default(sql`now()`),
});

/**
 * A site's signed statement about its own work (contribution accounting, docs/contribution.md): its
 * declaration in the statistics round, its training claim in each training round. Bounded and
 * cross-checked when the round is settled, never trusted as such.
 */
export const contributionClaims = pgTable(
  'contribution_claims',
  {
    roundId: uuid('round_id')
      .notNull()
      .references(() => rounds.id),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
    studyId: uuid('study_id')
      .notNull()
      .references(() => studies.id),
    kind: text('kind', { enum: ['declaration', 'training'] }).notNull(),
    claim: jsonb('claim').notNull(),
    payloadHash: text('payload_hash').notNull(),
    signature: text('signature').notNull(),
    receivedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.siteId] }), index('contribution_claims_study_idx').on(t.studyId)],
);

/**
 * The credit ledger: double-entry and append-only (rows are never updated or deleted). `entry` is
 * the whole entry with amounts as decimal strings; `study_id` is the study whose accounting made it
 * (also for a deposit into a site's wallet made so that it can stake), so one study's entries replay
 * to balances that sum to zero on their own.
 */
export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    id: text('id').notNull().unique(),
    studyId: uuid('study_id')
      .notNull()
      .references(() => studies.id),
    kind: text('kind').notNull(),
    siteId: text('site_id'),
    round: integer('round'),
    entry: jsonb('entry').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('ledger_entries_study_idx').on(t.studyId, t.seq)],
);

/**
 * One settled round of a study's contribution accounting (round 0 = the opening after the statistics
 * round): the accounting state after it, every site's components and pay, and the evidence found.
 */
export const contributionSettlements = pgTable(
  'contribution_settlements',
  {
    studyId: uuid('study_id')
      .notNull()
      .references(() => studies.id),
    round: integer('round').notNull(),
    /** The global model version whose validation this round's quality rests on (null for the opening). */
    modelVersionId: uuid('model_version_id').references(() => modelVersions.id),
    state: jsonb('state').notNull(),
    records: jsonb('records').notNull(),
    evidence: jsonb('evidence').notNull(),
    settledAt: ts('settled_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.studyId, t.round] })],
);

/**
 * Signed uploads the hub refused as protocol violations: a ciphertext that is not a valid one for
 * the round, or a ciphertext the site already submitted before (a replay). The site signed them,
 * so they are proof of misconduct when the round is settled (docs/contribution.md).
 */
export const protocolViolations = pgTable(
  'protocol_violations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    studyId: uuid('study_id')
      .notNull()
      .references(() => studies.id),
    roundId: uuid('round_id')
      .notNull()
      .references(() => rounds.id),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
    reason: text('reason', { enum: ['invalid-ciphertext', 'replayed-ciphertext'] }).notNull(),
    detail: text('detail').notNull(),
    payloadHash: text('payload_hash').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('protocol_violations_round_idx').on(t.roundId)],
);
