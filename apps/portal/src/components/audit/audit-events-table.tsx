import Link from 'next/link';
import { actorLabel, payloadSummary, prettyPayload } from '../../lib/audit.ts';
import { shortHash } from '../../lib/format.ts';
import type { AuditEvent } from '../../server/hub.ts';
import { DateTime } from '../date-time.tsx';
import { TableRegion } from '../table-region.tsx';

export interface AuditNames {
  studies: ReadonlyMap<string, string>;
  sites: ReadonlyMap<string, string>;
}

/** An id with its name when the portal knows it (studies and sites the hub lists); the id otherwise. */
function Named({ id, names, href }: { id: string | null; names: ReadonlyMap<string, string>; href?: string }) {
  if (!id) return <span className="muted">—</span>;
  const name = names.get(id);
  if (!name) return <code title={id}>{shortHash(id, 8)}</code>;
  return href ? (
    <Link href={href} title={id}>
      {name}
    </Link>
  ) : (
    <span title={id}>{name}</span>
  );
}

/** One page of audit events, newest first; each payload expands to its full JSON. */
export function AuditEventsTable({ events, names, caption }: { events: AuditEvent[]; names: AuditNames; caption: string }) {
  return (
    <TableRegion labelledBy="audit-events-caption">
      <table className="table table--compact audit-table">
        <caption id="audit-events-caption" className="visually-hidden">
          {caption}
        </caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              Seq
            </th>
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Study</th>
            <th scope="col">Site</th>
            <th scope="col">Payload</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.seq} data-seq={event.seq} data-action={event.action}>
              <th scope="row" className="num">
                {event.seq}
              </th>
              <td>
                <DateTime iso={event.occurredAt} />
              </td>
              <td>
                <span title={event.actor}>{actorLabel(event.actor, names.sites)}</span>
              </td>
              <td>
                <code className="audit-action">{event.action}</code>
              </td>
              <td className="audit-study">
                <Named id={event.studyId} names={names.studies} href={event.studyId ? `/studies/${event.studyId}` : undefined} />
              </td>
              <td>
                <Named id={event.siteId} names={names.sites} />
              </td>
              <td className="audit-payload">
                <details>
                  <summary>{payloadSummary(event.payload)}</summary>
                  <pre>{prettyPayload(event.payload)}</pre>
                  <p className="muted">
                    Event hash <code className="hash">{event.hash}</code>
                    {event.roundId ? (
                      <>
                        {' '}
                        · round <code>{event.roundId}</code>
                      </>
                    ) : null}
                  </p>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}
