import { formatCredits, formatScore, formatShare, isPositiveAmount, sumMicro, type SiteContribution } from '../../lib/contribution.ts';
import { EmptyState } from '../empty-state.tsx';
import { TableRegion } from '../table-region.tsx';

/**
 * Who owns what share of the study's model: each site's exact share (the hub's largest-remainder
 * apportionment, adding up to exactly 100 %), what it earned, what is left of its stake, what was
 * slashed, its reputation and data rarity, and how often it was flagged.
 */
export function OwnershipTable({ sites, earned }: { sites: readonly SiteContribution[]; earned: boolean }) {
  if (sites.length === 0) {
    return (
      <EmptyState title="No sites in the accounting yet.">
        <p>Sites appear here once they have enrolled and taken part in the statistics round.</p>
      </EmptyState>
    );
  }
  const totalReward = sumMicro(sites.map((s) => s.rewardMicro));
  const totalStake = sumMicro(sites.map((s) => s.stakeMicro));
  const totalSlashed = sumMicro(sites.map((s) => s.slashedMicro));
  return (
    <TableRegion labelledBy="ownership-caption">
      <table className="table" data-table="ownership">
        <caption id="ownership-caption" className="visually-hidden">
          Ownership of the study&apos;s model, by site (largest share first)
        </caption>
        <thead>
          <tr>
            <th scope="col">Site</th>
            <th scope="col" className="num">
              Share
            </th>
            <th scope="col" className="num">
              Reward (credits)
            </th>
            <th scope="col" className="num">
              Stake left
            </th>
            <th scope="col" className="num">
              Slashed
            </th>
            <th scope="col" className="num">
              Reputation
            </th>
            <th scope="col" className="num">
              Rarity
            </th>
            <th scope="col" className="num">
              Flags
            </th>
          </tr>
        </thead>
        <tbody>
          {sites.map((site) => (
            <tr key={site.siteId} data-site-id={site.siteId}>
              <th scope="row">
                <span className="site-name">{site.siteName}</span>
                {site.excluded ? (
                  <>
                    {' '}
                    <span className="badge badge--danger" title="Excluded from rewards after confirmed misconduct">
                      Excluded
                    </span>
                  </>
                ) : null}
                {site.declaredRows !== null ? <span className="sub">{formatScore(site.declaredRows)} rows declared</span> : null}
              </th>
              <td className="num" data-share-units={site.shareUnits}>
                {earned ? formatShare(site.sharePercent) : <span className="muted">—</span>}
              </td>
              <td className="num">{formatCredits(site.rewardMicro)}</td>
              <td className="num">{formatCredits(site.stakeMicro)}</td>
              <td className="num">{isPositiveAmount(site.slashedMicro) ? <span className="text-danger">{formatCredits(site.slashedMicro)}</span> : formatCredits(site.slashedMicro)}</td>
              <td className="num">{formatScore(site.reputation)}</td>
              <td className="num">{formatScore(site.rarity)}</td>
              <td className="num">
                {site.flags > 0 ? (
                  <a href="#evidence-heading" className="flag-count">
                    {site.flags}
                    <span className="visually-hidden"> (see the evidence)</span>
                  </a>
                ) : (
                  '0'
                )}
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td className="num">{earned ? '100 %' : <span className="muted">—</span>}</td>
            <td className="num">{formatCredits(totalReward)}</td>
            <td className="num">{formatCredits(totalStake)}</td>
            <td className="num">{formatCredits(totalSlashed)}</td>
            <td colSpan={3} />
          </tr>
        </tfoot>
      </table>
    </TableRegion>
  );
}
