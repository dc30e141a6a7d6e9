import { evidenceDetail, evidenceSubject, reasonLabel, type ContributionEvidence } from '../../lib/contribution.ts';
import { EmptyState } from '../empty-state.tsx';

/** Proof reasons: the site's own signed data contradicts itself or the aggregate (no vote needed). */
const PROOF = new Set(['claim-exceeds-declared', 'malformed-submission', 'histogram-exceeds-aggregate', 'histogram-exceeds-declared', 'invalid-ciphertext', 'replayed-ciphertext']);

/**
 * Every flag raised in the study, in plain words with the numbers that produced it: anyone holding
 * the same reports can recompute it. Latest round first.
 */
export function EvidenceList({ evidence }: { evidence: readonly ContributionEvidence[] }) {
  if (evidence.length === 0) {
    return (
      <EmptyState title="No anomalies flagged.">
        <p>Every site&apos;s signed claims matched its declarations, and no validation report stood out from the others.</p>
      </EmptyState>
    );
  }
  const ordered = [...evidence].map((e, i) => ({ e, i })).sort((a, b) => b.e.round - a.e.round || a.i - b.i);
  return (
    <ol className="evidence-list" data-list="evidence">
      {ordered.map(({ e, i }) => (
        <li key={i} className="evidence" data-reason={e.reason} data-kind={e.kind}>
          <p className="evidence__sentence">
            <strong>
              Round {e.round} — {evidenceSubject(e)}:
            </strong>{' '}
            {evidenceDetail(e)}
          </p>
          <p className="evidence__tags">
            <span className={`badge ${PROOF.has(e.reason) ? 'badge--danger' : 'badge--warning'}`}>{reasonLabel(e.reason)}</span>
            {PROOF.has(e.reason) ? <span className="sub">Proof on its own: the site&apos;s signed data contradicts itself or the encrypted aggregate.</span> : null}
            {e.kind === 'metric' ? <span className="sub">Statistical: counts as misconduct only when repeated or confirmed by a quorum.</span> : null}
          </p>
        </li>
      ))}
    </ol>
  );
}
