import type { StudyToken } from '../../server/hub.ts';
import { DateTime } from '../date-time.tsx';
import { EmptyState } from '../empty-state.tsx';
import { TableRegion } from '../table-region.tsx';
import { RevokeTokenButton } from './revoke-token-button.tsx';

const STATES: Record<StudyToken['state'], { label: string; tone: string }> = {
  open: { label: 'Open', tone: 'active' },
  used: { label: 'Used', tone: 'success' },
  expired: { label: 'Expired', tone: 'neutral' },
  revoked: { label: 'Revoked', tone: 'neutral' },
};

/** A study's enrolment tokens (never their values): site, issued, expires, state; open ones can be revoked. */
export function TokensTable({ studyId, tokens, canRevoke }: { studyId: string; tokens: StudyToken[]; canRevoke: boolean }) {
  if (tokens.length === 0) {
    return (
      <EmptyState title="No site has been invited yet.">
        <p>Each hospital needs its own one-time enrolment token{canRevoke ? ': use “Invite a site” above.' : '.'}</p>
      </EmptyState>
    );
  }
  return (
    <TableRegion labelledBy="tokens-caption">
      <table className="table">
        <caption id="tokens-caption" className="visually-hidden">
          Invitations (enrolment tokens)
        </caption>
        <thead>
          <tr>
            <th scope="col">Site</th>
            <th scope="col">Issued</th>
            <th scope="col">Expires</th>
            <th scope="col">State</th>
            {canRevoke ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {tokens.map((token) => {
            const state = STATES[token.state] ?? { label: token.state, tone: 'neutral' };
            return (
              <tr key={token.tokenId} data-token-state={token.state}>
                <th scope="row">{token.siteName}</th>
                <td>
                  <DateTime iso={token.createdAt} />
                </td>
                <td>
                  <DateTime iso={token.expiresAt} />
                </td>
                <td>
                  <span className={`badge badge--${state.tone}`}>{state.label}</span>
                  {token.state === 'used' && token.usedAt ? (
                    <span className="sub">
                      <DateTime iso={token.usedAt} />
                    </span>
                  ) : null}
                  {token.state === 'revoked' && token.revokedAt ? (
                    <span className="sub">
                      <DateTime iso={token.revokedAt} />
                    </span>
                  ) : null}
                </td>
                {canRevoke ? <td>{token.state === 'open' ? <RevokeTokenButton studyId={studyId} tokenId={token.tokenId} siteName={token.siteName} /> : null}</td> : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableRegion>
  );
}
