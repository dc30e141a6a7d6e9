import Link from 'next/link';
import { encryptionLabel } from '../lib/format.ts';
import type { StudySummary } from '../server/hub.ts';
import { DateTime } from './date-time.tsx';
import { StatusBadge } from './status-badge.tsx';
import { TableRegion } from './table-region.tsx';

export function StudiesTable({ studies }: { studies: StudySummary[] }) {
  return (
    <TableRegion labelledBy="studies-caption">
      <table className="table">
        <caption id="studies-caption" className="visually-hidden">
          Studies, newest first
        </caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Sites
            </th>
            <th scope="col">Rounds done / planned</th>
            <th scope="col">Encryption</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {studies.map((study) => (
            <tr key={study.id}>
              <th scope="row">
                <Link href={`/studies/${study.id}`}>{study.name}</Link>
              </th>
              <td>
                <StatusBadge status={study.status} />
                {study.pausedAt && study.status !== 'stopped' ? <span className="badge badge--warning">Paused</span> : null}
              </td>
              <td className="num">{study.sites}</td>
              <td>
                <span className="rounds">
                  {study.modelVersions} / {study.plannedRounds}
                  <progress max={Math.max(study.plannedRounds, 1)} value={Math.min(study.modelVersions, study.plannedRounds)} aria-hidden="true" />
                </span>
              </td>
              <td>{encryptionLabel(study.secureAggregation)}</td>
              <td>
                <DateTime iso={study.createdAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}
