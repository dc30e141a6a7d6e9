import { formatBytes } from '../../lib/format.ts';
import type { StudyProgress } from '../../server/hub.ts';
import { DateTime } from '../date-time.tsx';
import { EmptyState } from '../empty-state.tsx';
import { StatusBadge } from '../status-badge.tsx';
import { TableRegion } from '../table-region.tsx';

const KIND_LABELS: Record<string, string> = { stats: 'Statistics', train: 'Training' };

function Count({ done, of }: { done: number; of: number }) {
  return (
    <span className={done >= of && of > 0 ? 'count count--full' : 'count'}>
      {done} / {of}
    </span>
  );
}

export function RoundsTable({ rounds, encrypted }: { rounds: StudyProgress['rounds']; encrypted: boolean }) {
  if (rounds.length === 0) {
    return (
      <EmptyState title="No rounds yet.">
        <p>Rounds open once the study has started and its key ceremony is complete.</p>
      </EmptyState>
    );
  }
  return (
    <TableRegion labelledBy="rounds-caption">
      <table className="table">
        <caption id="rounds-caption" className="visually-hidden">
          Rounds, oldest first
        </caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              Round
            </th>
            <th scope="col">Kind</th>
            <th scope="col">Status</th>
            <th scope="col">Submitted</th>
            {encrypted ? <th scope="col">Decrypted</th> : null}
            <th scope="col" className="num">
              Uploaded
            </th>
            <th scope="col">Opened</th>
            <th scope="col">Completed</th>
          </tr>
        </thead>
        <tbody>
          {rounds.map((round) => (
            <tr key={round.id}>
              <th scope="row" className="num">
                {round.index}
              </th>
              <td>{KIND_LABELS[round.kind] ?? round.kind}</td>
              <td>
                <StatusBadge status={round.status} />
                {round.failureReason ? <span className="sub sub--danger">{round.failureReason}</span> : null}
              </td>
              <td>
                <Count done={round.submitted.length} of={round.participants.length} />
              </td>
              {encrypted ? (
                <td>
                  {/* t shares decrypt a round: count against the members asked, not every participant. */}
                  {round.decryptors.length > 0 ? <Count done={round.decrypted.length} of={round.decryptors.length} /> : '—'}
                </td>
              ) : null}
              <td className="num">{formatBytes(round.uploadedBytes)}</td>
              <td>
                <DateTime iso={round.openedAt} />
              </td>
              <td>
                {round.completedAt ? (
                  <DateTime iso={round.completedAt} />
                ) : (
                  <span className="muted">
                    Deadline <DateTime iso={round.decryptDeadlineAt ?? round.deadlineAt} />
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}
