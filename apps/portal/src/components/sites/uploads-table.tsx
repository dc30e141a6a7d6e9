import { formatBytes, formatInteger, shortHash } from '../../lib/format.ts';
import { uploadKindLabel, type StudyUploads } from '../../lib/uploads.ts';
import type { SiteUpload } from '../../server/hub.ts';
import { DateTime } from '../date-time.tsx';
import { TableRegion } from '../table-region.tsx';

/** A size as people read it, with the exact byte count in the title (the agent's log has bytes). */
export function Bytes({ bytes }: { bytes: number }) {
  return <span title={`${formatInteger(bytes)} bytes`}>{formatBytes(bytes)}</span>;
}

/**
 * One study's uploads from a site, oldest first. The SHA-256 is shown shortened, but the element
 * holds the full value: selecting it (one click selects all) or copying gives all 64 characters.
 */
export function UploadsTable({ group, headingId }: { group: StudyUploads<SiteUpload>; headingId: string }) {
  const captionId = `${headingId}-caption`;
  return (
    <TableRegion labelledBy={captionId}>
      <table className="table">
        <caption id={captionId} className="visually-hidden">
          Uploads for {group.studyName}, oldest first
        </caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              Round
            </th>
            <th scope="col">Kind</th>
            <th scope="col" className="num">
              Size
            </th>
            <th scope="col">SHA-256</th>
            <th scope="col">Received</th>
          </tr>
        </thead>
        <tbody>
          {group.uploads.map((upload) => (
            <tr key={`${upload.roundId}-${upload.kind}-${upload.payloadSha256}`} data-kind={upload.kind}>
              <th scope="row" className="num">
                {upload.roundIndex}
              </th>
              <td>{uploadKindLabel(upload.kind)}</td>
              <td className="num">
                <Bytes bytes={upload.bytes} />
              </td>
              <td>
                <code className="hash" title={upload.payloadSha256} data-short={shortHash(upload.payloadSha256)} tabIndex={0}>
                  {upload.payloadSha256}
                </code>
              </td>
              <td>
                <DateTime iso={upload.receivedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}
