import { formatCredits, formatMetricValue, formatScore, isPositiveAmount, metricLabel, misconductLabel, type SiteRoundRecord } from '../../lib/contribution.ts';
import { EmptyState } from '../empty-state.tsx';
import { TableRegion } from '../table-region.tsx';

/** Why a site earned less (or nothing) this round, in words. */
function notes(record: SiteRoundRecord): string[] {
  const out: string[] = [];
  if (!record.asked) out.push('Not asked this round');
  else if (!record.submitted) out.push('No update submitted');
  if (record.asked && !record.reported) out.push('No validation report');
  if (record.forfeit) out.push('Reward forfeited');
  if (record.evidence.length > 0) out.push(`${record.evidence.length} flag${record.evidence.length === 1 ? '' : 's'}`);
  return out;
}

function Metrics({ metrics }: { metrics: SiteRoundRecord['metrics'] }) {
  if (!metrics || Object.keys(metrics).length === 0) return <span className="muted">—</span>;
  return (
    <>
      {Object.entries(metrics).map(([name, value]) => (
        <span key={name} className="metric">
          {metricLabel(name)} {formatMetricValue(value)}
        </span>
      ))}
    </>
  );
}

/**
 * One settled round, site by site: the reward formula's components (compute × quality, data ×
 * rarity × quality, validation × uptime), the reputation after the round, what was paid and slashed.
 */
export function RoundRecordsTable({ round, records, captionId }: { round: number; records: readonly SiteRoundRecord[]; captionId: string }) {
  if (records.length === 0) {
    return <EmptyState title={`No site records for round ${round}.`} />;
  }
  return (
    <TableRegion labelledBy={captionId}>
      <table className="table table--compact" data-table={`round-${round}`}>
        <caption id={captionId} className="visually-hidden">
          Contribution components of each site in round {round}
        </caption>
        <thead>
          <tr>
            <th scope="col">Site</th>
            <th scope="col" className="num">
              Compute
            </th>
            <th scope="col" className="num">
              Data
            </th>
            <th scope="col" className="num">
              Rarity
            </th>
            <th scope="col" className="num">
              Quality
            </th>
            <th scope="col" className="num">
              Validation
            </th>
            <th scope="col" className="num">
              Uptime
            </th>
            <th scope="col" className="num">
              Reputation
            </th>
            <th scope="col" className="num">
              Reward
            </th>
            <th scope="col" className="num">
              Slashed
            </th>
            <th scope="col">Reported</th>
            <th scope="col">Notes</th>
          </tr>
        </thead>
        <tbody>
          {records.map((record) => {
            const misconduct = misconductLabel(record.misconduct);
            const lines = notes(record);
            return (
              <tr key={record.siteId}>
                <th scope="row">{record.siteName}</th>
                <td className="num">{formatScore(record.compute)}</td>
                <td className="num">{formatScore(record.data)}</td>
                <td className="num">{formatScore(record.rarity)}</td>
                <td className="num">{formatScore(record.quality)}</td>
                <td className="num">{formatScore(record.validation)}</td>
                <td className="num">{formatScore(record.uptime)}</td>
                <td className="num">{formatScore(record.reputation)}</td>
                <td className="num">{formatCredits(record.rewardMicro)}</td>
                <td className="num">{isPositiveAmount(record.slashedMicro) ? <span className="text-danger">{formatCredits(record.slashedMicro)}</span> : formatCredits(record.slashedMicro)}</td>
                <td>
                  <Metrics metrics={record.metrics} />
                </td>
                <td>
                  {misconduct ? <span className="badge badge--danger">{misconduct}</span> : null}
                  {lines.length > 0 ? lines.map((line) => <span key={line} className="sub">{line}</span>) : misconduct ? null : <span className="muted">—</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableRegion>
  );
}
