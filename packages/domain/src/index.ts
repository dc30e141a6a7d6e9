/**
 * The hub's domain: every state change of a consortium, each in one transaction with its audit
 * event. The API layer validates input and calls these functions; nothing here knows about HTTP.
 */
export * from './context.ts';
export * from './changes.ts';
export * from './crypto.ts';
export * from './transaction.ts';
export * from './admin/consortium.ts';
export * from './users/roles.ts';
export * from './users/password.ts';
export * from './users/user-records.ts';
export * from './users/create-user.ts';
export * from './users/login.ts';
export * from './users/authenticate-session.ts';
export * from './users/session-token.ts';
export * from './users/sessions.ts';
export * from './users/change-password.ts';
export * from './users/manage-users.ts';
export * from './users/study-lead.ts';
export * from './users/resource-access.ts';
export * from './studies/load-study.ts';
export * from './studies/create-study.ts';
export * from './studies/start-study.ts';
export * from './studies/study-views.ts';
export * from './enrollment/issue-token.ts';
export * from './enrollment/revoke-token.ts';
export * from './enrollment/enroll-site.ts';
export * from './sites/manage-sites.ts';
export * from './sites/site-uploads.ts';
export * from './agents/authenticate-site.ts';
export * from './agents/poll-tasks.ts';
export * from './agents/get-study-for-site.ts';
export * from './ceremony/committee.ts';
export * from './ceremony/submit-key-share.ts';
export * from './ceremony/submit-dealing.ts';
export * from './ceremony/ceremony-material.ts';
export * from './ceremony/confirm-key.ts';
export * from './ceremony/rekey-study.ts';
export * from './ceremony/get-public-key.ts';
export * from './rounds/submit-update.ts';
export * from './rounds/submit-decryption-share.ts';
export * from './rounds/get-aggregate.ts';
export * from './rounds/report-refusal.ts';
export * from './rounds/advance-deadlines.ts';
export * from './rounds/round-encoding.ts';
export * from './models/get-model.ts';
export * from './models/report-evaluation.ts';
export { verifyAuditChain, type ChainVerification } from '@consilium/audit';
