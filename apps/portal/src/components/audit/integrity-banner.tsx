import { formatInteger } from '../../lib/format.ts';
import { verifyAuditLog } from '../../server/hub.ts';
import { ProblemNotice } from '../problem-notice.tsx';

/**
 * The live chain's integrity, as the hub re-verifies it on this request (every event's hash and
 * link, events 1 to the head). Async: rendered in a Suspense boundary, so a long chain does not hold
 * up the events table.
 */
export async function IntegrityBanner() {
  const result = await verifyAuditLog();
  if (!result.ok) return <ProblemNotice problem={{ ...result.problem, title: `The chain's integrity could not be checked: ${result.problem.title}` }} headingLevel={2} />;
  const v = result.data;
  if (v.ok) {
    return (
      <div className="notice notice--success integrity" role="status" data-integrity="verified">
        <h2 className="notice__title">
          <span aria-hidden="true">✓</span> Audit chain verified
        </h2>
        <p>
          The hub re-verified all {formatInteger(v.count)} events: every hash matches its event and links to the one before, up to the recorded head. Head hash{' '}
          <code className="hash" title={v.lastHash} tabIndex={0}>
            {v.lastHash}
          </code>
        </p>
      </div>
    );
  }
  return (
    <div className="notice notice--error integrity" role="alert" data-integrity="broken">
      <h2 className="notice__title">
        <span aria-hidden="true">✗</span> The audit chain is broken{v.firstBreak ? ` at event ${v.firstBreak.seq}` : ''}
      </h2>
      <p>{v.firstBreak?.reason ?? 'The chain does not verify.'}</p>
      <p className="notice__hint">
        {formatInteger(v.count)} events verified before the break. Events from the break on cannot be trusted; the hub refuses to export or sign the log until it is investigated.
      </p>
    </div>
  );
}

/** Placeholder while the hub verifies the chain. */
export function IntegrityPending() {
  return (
    <div className="notice notice--info integrity" role="status" data-integrity="pending">
      <p>Verifying the audit chain…</p>
    </div>
  );
}
