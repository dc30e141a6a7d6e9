import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { Breadcrumb } from '../../../components/breadcrumb.tsx';
import { DateTime, RelativeDateTime } from '../../../components/date-time.tsx';
import { EmptyState } from '../../../components/empty-state.tsx';
import { ProblemNotice } from '../../../components/problem-notice.tsx';
import { RefreshButton } from '../../../components/refresh-button.tsx';
import { ConsentButtons } from '../../../components/sites/consent-buttons.tsx';
import { StatusBadge } from '../../../components/status-badge.tsx';
import { ConsentBadge } from '../../../components/study/sites-table.tsx';
import { TableRegion } from '../../../components/table-region.tsx';
import { encryptionLabel } from '../../../lib/format.ts';
import { agentOnline, canDecideForSite } from '../../../lib/roles.ts';
import { siteNameFromSegment, siteUploadsHref } from '../../../lib/uploads.ts';
import { getSignedIn, getSiteDetail, type SiteDetail } from '../../../server/hub.ts';

interface SitePageProps {
  params: Promise<{ name: string }>;
}

export async function generateMetadata({ params }: SitePageProps): Promise<Metadata> {
  return { title: siteNameFromSegment((await params).name) };
}

export default async function SitePage({ params }: SitePageProps) {
  const siteName = siteNameFromSegment((await params).name);
  const [detail, signedIn] = await Promise.all([getSiteDetail(siteName), getSignedIn()]);
  if (!detail.ok && detail.problem.kind === 'not-found') notFound();
  await connection();
  const now = Date.now();
  return (
    <>
      <Breadcrumb trail={[{ href: '/sites', label: 'Sites' }]} current={siteName} />
      <div className="page-head">
        <h1>{siteName}</h1>
        {detail.ok ? (
          detail.data.site.status === 'active' ? (
            <span className="badge badge--success">Active</span>
          ) : (
            <span className="badge badge--danger">Revoked</span>
          )
        ) : null}
        <RefreshButton />
      </div>
      {detail.ok ? (
        <SiteDetails detail={detail.data} now={now} canDecide={canDecideForSite(signedIn?.user ?? null, detail.data.site.id)} />
      ) : (
        <ProblemNotice problem={detail.problem} headingLevel={2} />
      )}
    </>
  );
}

function SiteDetails({ detail, now, canDecide }: { detail: SiteDetail; now: number; canDecide: boolean }) {
  const { site, keyHistory, studies } = detail;
  const online = site.status === 'active' && agentOnline(site.lastSeenAt, now);
  return (
    <>
      <p className="lead">
        {canDecide
          ? 'Your site’s agent, its identity key, and the studies your site is invited to. Approve a study before your agent trains for it.'
          : 'This site’s agent, its identity key, and the studies it is invited to with its decision on each. Only the site’s own administrators can approve or decline.'}{' '}
        <Link href={siteUploadsHref(site.name)}>See everything that left this site</Link>.
      </p>
      <section className="panel" aria-labelledby="agent-heading">
        <h2 id="agent-heading">Agent</h2>
        <p className={`agent-state agent-state--${online ? 'online' : 'offline'}`} data-testid="agent-state">
          <span className="agent-state__dot" aria-hidden="true" />
          {site.status !== 'active'
            ? 'Revoked: the hub refuses this site’s requests.'
            : online
              ? 'Online: the agent has been in touch within the last 2 minutes.'
              : site.lastSeenAt
                ? 'Offline: no heartbeat from the agent for more than 2 minutes.'
                : 'Offline: the agent has not been in touch since it enrolled.'}
        </p>
        <dl className="facts facts--grid">
          <div>
            <dt>Last heartbeat</dt>
            <dd>
              <RelativeDateTime iso={site.lastSeenAt} now={now} fallback="Never" />
            </dd>
          </div>
          <div>
            <dt>Agent version</dt>
            <dd>{site.agentVersion ?? <span className="muted">Not reported</span>}</dd>
          </div>
          <div>
            <dt>Training backend</dt>
            <dd>{site.backend ?? <span className="muted">Not reported</span>}</dd>
          </div>
          <div>
            <dt>Enrolled</dt>
            <dd>
              <DateTime iso={site.enrolledAt} />
            </dd>
          </div>
          <div>
            <dt>Identity key fingerprint</dt>
            <dd>
              <code className="fingerprint">{site.publicKeyFingerprint}</code>
            </dd>
          </div>
        </dl>
      </section>
      <section className="panel" aria-labelledby="keys-heading">
        <h2 id="keys-heading">
          Identity keys <span className="count-pill">{keyHistory.length}</span>
        </h2>
        <p className="muted">
          The agent signs every request with its identity key. Rotate it on the site&apos;s server with <code>consilium-agent rotate-key</code>: the new key
          replaces the old one at the hub. If the key may be lost or stolen, a consortium administrator or the site&apos;s administrator revokes the site
          (<code>sites.revoke</code>); the site then has to enrol again.
        </p>
        {keyHistory.length > 0 ? (
          <TableRegion labelledBy="keys-caption">
            <table className="table">
              <caption id="keys-caption" className="visually-hidden">
                Identity key history, newest first
              </caption>
              <thead>
                <tr>
                  <th scope="col">Fingerprint</th>
                  <th scope="col">In use from</th>
                  <th scope="col">Until</th>
                </tr>
              </thead>
              <tbody>
                {keyHistory.map((key) => (
                  <tr key={`${key.fingerprint}-${key.since}`}>
                    <th scope="row">
                      <code className="fingerprint">{key.fingerprint}</code>
                    </th>
                    <td>
                      <DateTime iso={key.since} />
                    </td>
                    <td>{key.until ? <DateTime iso={key.until} /> : <span className="badge badge--success">Current</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
        ) : (
          <EmptyState title="No key history recorded." />
        )}
      </section>
      <section className="panel" aria-labelledby="site-studies-heading">
        <h2 id="site-studies-heading">
          Studies <span className="count-pill">{studies.length}</span>
        </h2>
        {studies.length === 0 ? (
          <EmptyState title="This site is not invited to any study yet.">
            <p>A study lead invites the site with an enrolment token; the study appears here once the agent has enrolled with it.</p>
          </EmptyState>
        ) : (
          <ul className="study-cards">
            {studies.map((study) => (
              <li key={study.studyId} className="study-card" data-study-id={study.studyId}>
                <article aria-labelledby={`study-${study.studyId}`}>
                  <div className="study-card__head">
                    <h3 id={`study-${study.studyId}`}>{study.studyName}</h3>
                    <StatusBadge status={study.status} />
                    {study.pausedAt && study.status !== 'stopped' ? <span className="badge badge--warning">Paused</span> : null}
                  </div>
                  {study.description ? <p>{study.description}</p> : null}
                  <dl className="facts facts--grid">
                    <div>
                      <dt>{canDecide ? 'Your site’s decision' : 'The site’s decision'}</dt>
                      <dd>
                        <ConsentBadge consent={study.consent} />
                        {study.consentDecidedAt ? (
                          <span className="sub">
                            <DateTime iso={study.consentDecidedAt} />
                            {study.consentDecidedBy && !/^\w+:[0-9a-f-]{36}$/i.test(study.consentDecidedBy) ? ` by ${study.consentDecidedBy}` : ''}
                          </span>
                        ) : null}
                      </dd>
                    </div>
                    {study.consentNote ? (
                      <div>
                        <dt>Note</dt>
                        <dd>{study.consentNote}</dd>
                      </div>
                    ) : null}
                    <div>
                      <dt>Joined</dt>
                      <dd>
                        <DateTime iso={study.joinedAt} />
                      </dd>
                    </div>
                    <div>
                      <dt>Encryption</dt>
                      <dd>{encryptionLabel(study.secureAggregation)}</dd>
                    </div>
                    <div>
                      <dt>Differential privacy</dt>
                      <dd>{study.differentialPrivacy ? 'On' : 'Off'}</dd>
                    </div>
                    <div>
                      <dt>Training rounds</dt>
                      <dd>{study.trainingRounds}</dd>
                    </div>
                  </dl>
                  {study.consent === 'pending' && canDecide ? (
                    <p className="notice notice--info">Your agent does not train for this study until you approve it.</p>
                  ) : null}
                  {study.consent === 'declined' ? (
                    <p className="notice notice--warning">
                      {canDecide ? 'Your site declined this study' : 'The site declined this study'}: its agent does not train for it and the hub accepts
                      nothing from the site for it.
                    </p>
                  ) : null}
                  {canDecide && study.status !== 'completed' && study.status !== 'failed' && study.status !== 'stopped' ? (
                    <ConsentButtons siteName={site.name} studyId={study.studyId} studyName={study.studyName} consent={study.consent} />
                  ) : null}
                </article>
              </li>
            ))}
          </ul>
        )}
      </section>
      <p>
        <Link href={siteUploadsHref(site.name)}>What left {site.name}: every upload, with sizes and SHA-256 hashes</Link>
      </p>
    </>
  );
}
