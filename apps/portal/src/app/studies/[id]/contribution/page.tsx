import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Breadcrumb } from '../../../../components/breadcrumb.tsx';
import { OwnershipTable } from '../../../../components/contribution/ownership-table.tsx';
import { RoundRecordsTable } from '../../../../components/contribution/round-records-table.tsx';
import { ShareChart } from '../../../../components/contribution/share-chart.tsx';
import { SharesTable } from '../../../../components/contribution/shares-table.tsx';
import { EvidenceList } from '../../../../components/contribution/evidence-list.tsx';
import { DateTime } from '../../../../components/date-time.tsx';
import { EmptyState } from '../../../../components/empty-state.tsx';
import { ProblemNotice } from '../../../../components/problem-notice.tsx';
import { RefreshButton } from '../../../../components/refresh-button.tsx';
import { StatusBadge } from '../../../../components/status-badge.tsx';
import { StudyTabs } from '../../../../components/study/study-tabs.tsx';
import { formatCredits, formatShare, isPositiveAmount, latestSettledRound, shareChartRows, sumMicro, type StudyContribution } from '../../../../lib/contribution.ts';
import { shortHash } from '../../../../lib/format.ts';
import { getStudyContribution } from '../../../../server/hub.ts';
import { STATEMENT_DOWNLOADS } from '../../../../lib/statement.ts';

interface ContributionPageProps {
  params: Promise<{ id: string }>;
}

export async function generateMetadata({ params }: ContributionPageProps): Promise<Metadata> {
  const result = await getStudyContribution((await params).id);
  return { title: result.ok ? `Contribution · ${result.data.studyName}` : 'Contribution' };
}

export default async function ContributionPage({ params }: ContributionPageProps) {
  const { id } = await params;
  const result = await getStudyContribution(id);
  if (!result.ok && result.problem.kind === 'not-found') notFound();

  return (
    <>
      <Breadcrumb
        trail={[
          { href: '/', label: 'Overview' },
          { href: `/studies/${id}`, label: result.ok ? result.data.studyName : 'Study' },
        ]}
        current="Contribution"
      />
      {result.ok ? (
        <ContributionDetails contribution={result.data} />
      ) : (
        <>
          <h1>Contribution and ownership</h1>
          <ProblemNotice problem={result.problem} headingLevel={2} />
        </>
      )}
    </>
  );
}

function ContributionDetails({ contribution: c }: { contribution: StudyContribution }) {
  const latest = latestSettledRound(c.rounds);
  const earned = sumMicro(c.sites.map((s) => s.rewardMicro)) > 0n;
  return (
    <>
      <div className="page-head">
        <h1>Contribution and ownership</h1>
        <StatusBadge status={c.status as Parameters<typeof StatusBadge>[0]['status']} />
        <RefreshButton />
      </div>
      <p className="lead">
        Who owns what share of the model of <strong>{c.studyName}</strong>: each site&apos;s share is its cumulative reward over everything paid out, from
        the hub&apos;s ledger. Amounts are in credits (consortium accounting units, not money).
      </p>
      <StudyTabs studyId={c.studyId} current="contribution" />
      {!c.opened ? (
        <section className="panel" aria-labelledby="not-started-heading">
          <h2 id="not-started-heading" className="visually-hidden">
            Accounting not started
          </h2>
          <EmptyState title="Contribution accounting starts after the statistics round.">
            <p>
              {c.status === 'failed'
                ? 'This study failed before its statistics round completed, so there is nothing to account for.'
                : 'Once every site has signed its dataset declaration and the statistics round has been decrypted, each site’s stake is recorded here and every training round’s rewards are settled into the ledger.'}
            </p>
          </EmptyState>
        </section>
      ) : (
        <>
          <section className="panel" aria-labelledby="ledger-heading">
            <h2 id="ledger-heading">Ledger</h2>
            <dl className="facts facts--grid">
              <div>
                <dt>Settled rounds</dt>
                <dd>{c.rounds.length}</dd>
              </div>
              <div>
                <dt>Paid out (credits)</dt>
                <dd>{formatCredits(c.ledger.distributedMicro)}</dd>
              </div>
              <div>
                <dt>Left in the pool</dt>
                <dd>{formatCredits(c.ledger.poolMicro)}</dd>
              </div>
              <div>
                <dt>Slashed in total</dt>
                <dd className={isPositiveAmount(c.ledger.slashedMicro) ? 'text-danger' : undefined}>{formatCredits(c.ledger.slashedMicro)}</dd>
              </div>
              <div>
                <dt>Ledger entries</dt>
                <dd>
                  {c.ledger.entries}
                  {c.ledger.lastEntryId ? (
                    <span className="sub">
                      last <code className="hash" tabIndex={0} title={c.ledger.lastEntryId}>{shortHash(c.ledger.lastEntryId)}</code>
                    </span>
                  ) : null}
                </dd>
              </div>
            </dl>
            {earned ? (
              <div className="actions" role="group" aria-label="Downloads">
                {STATEMENT_DOWNLOADS.map((d) => (
                  <a key={d.format} className="button button--quiet" href={`/studies/${c.studyId}/contribution/statement?format=${d.format}`} download={d.download ? true : undefined}>
                    {d.label}
                  </a>
                ))}
              </div>
            ) : null}
          </section>

          <section className="panel" aria-labelledby="ownership-heading">
            <h2 id="ownership-heading">
              Ownership <span className="count-pill">{c.sites.length}</span>
            </h2>
            {!earned ? <p className="muted">No reward has been paid yet, so nobody owns a share of the model yet. Stakes and reputation are shown as they stand.</p> : null}
            <OwnershipTable sites={c.sites} earned={earned} />
          </section>

          <section className="panel" aria-labelledby="shares-heading">
            <h2 id="shares-heading">Share over rounds</h2>
            {c.shareHistory.length === 0 ? (
              <EmptyState title="No round has been settled yet.">
                <p>A training round is settled once its validation window has closed: the sites&apos; reports on the model it produced decide the pay.</p>
              </EmptyState>
            ) : (
              <ShareHistory contribution={c} />
            )}
          </section>

          <section className="panel" aria-labelledby="latest-heading">
            <h2 id="latest-heading">{latest ? `Components in round ${latest.round} (latest settled)` : 'Components'}</h2>
            {latest ? (
              <>
                <p className="muted">
                  Settled <DateTime iso={latest.settledAt} />. Reward per site = compute × quality, data × rarity × quality and validation × uptime, each weighted
                  as the study specifies and normalised across sites.
                </p>
                <RoundRecordsTable round={latest.round} records={latest.records} captionId="latest-round-caption" />
              </>
            ) : (
              <EmptyState title="Nothing settled yet.">
                <p>Each site&apos;s compute, data, rarity, quality, validation and uptime appear here once the first training round is settled.</p>
              </EmptyState>
            )}
          </section>

          {c.rounds.length > 1 ? (
            <section className="panel" aria-labelledby="rounds-heading">
              <h2 id="rounds-heading">
                Every settled round <span className="count-pill">{c.rounds.length}</span>
              </h2>
              <div className="round-details">
                {[...c.rounds]
                  .sort((a, b) => b.round - a.round)
                  .map((round) => {
                    const paid = sumMicro(round.records.map((r) => r.rewardMicro));
                    const flags = round.records.reduce((n, r) => n + r.evidence.length, 0);
                    return (
                      <details key={round.round} className="disclosure">
                        <summary>
                          Round {round.round}
                          <span className="disclosure__meta">
                            {formatCredits(paid)} credits paid{flags > 0 ? `, ${flags} flag${flags === 1 ? '' : 's'}` : ''}
                          </span>
                        </summary>
                        <RoundRecordsTable round={round.round} records={round.records} captionId={`round-${round.round}-caption`} />
                      </details>
                    );
                  })}
              </div>
            </section>
          ) : null}

          <section className="panel" aria-labelledby="evidence-heading">
            <h2 id="evidence-heading" tabIndex={-1}>
              Anomalies and evidence <span className="count-pill">{c.evidence.length}</span>
            </h2>
            <EvidenceList evidence={c.evidence} />
          </section>
        </>
      )}
    </>
  );
}

function ShareHistory({ contribution: c }: { contribution: StudyContribution }) {
  const series = c.sites.map((s) => ({ siteId: s.siteId, siteName: s.siteName }));
  const last = c.shareHistory.at(-1)!;
  const summary = `Ownership share after round ${last.round}: ${series.map((s) => `${s.siteName} ${formatShare(last.shares[s.siteId] ?? '0%')}`).join(', ')}.`;
  return (
    <>
      <p className="muted" id="shares-summary">
        {summary}
      </p>
      <ShareChart series={series} rows={shareChartRows(c.shareHistory, series.map((s) => s.siteId))} summary={summary} />
      <SharesTable history={c.shareHistory} sites={series} />
    </>
  );
}
