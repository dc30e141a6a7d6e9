import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { Breadcrumb } from '../../../components/breadcrumb.tsx';
import { ProblemNotice } from '../../../components/problem-notice.tsx';
import { RefreshButton } from '../../../components/refresh-button.tsx';
import { StatusBadge } from '../../../components/status-badge.tsx';
import { EmptyState } from '../../../components/empty-state.tsx';
import { MetricsChart } from '../../../components/study/metrics-chart.tsx';
import { MetricsTable } from '../../../components/study/metrics-table.tsx';
import { ModelsTable } from '../../../components/study/models-table.tsx';
import { SiteMetricsTable } from '../../../components/study/site-metrics-table.tsx';
import { RoundsTable } from '../../../components/study/rounds-table.tsx';
import { SitesTable } from '../../../components/study/sites-table.tsx';
import { StudyFacts } from '../../../components/study/study-facts.tsx';
import { StudyTabs } from '../../../components/study/study-tabs.tsx';
import { InviteSite } from '../../../components/study/invite-site.tsx';
import { StudyControls } from '../../../components/study/study-controls.tsx';
import { TokensTable } from '../../../components/study/tokens-table.tsx';
import { DateTime } from '../../../components/date-time.tsx';
import { metricsChartRows, metricsOverVersions, metricsSummary } from '../../../lib/model-metrics.ts';
import { canManageStudy } from '../../../lib/roles.ts';
import { getSignedIn, getStudyProgress, hubAddress, listStudyTokens, type SignedIn, type StudyProgress } from '../../../server/hub.ts';

interface StudyPageProps {
  params: Promise<{ id: string }>;
}

export async function generateMetadata({ params }: StudyPageProps): Promise<Metadata> {
  const progress = await getStudyProgress((await params).id);
  return { title: progress.ok ? progress.data.name : 'Study' };
}

export default async function StudyPage({ params }: StudyPageProps) {
  const { id } = await params;
  const [progress, signedIn] = await Promise.all([getStudyProgress(id), getSignedIn()]);
  if (!progress.ok && progress.problem.kind === 'not-found') notFound();
  await connection();
  const now = Date.now();

  return (
    <>
      <Breadcrumb trail={[{ href: '/', label: 'Overview' }]} current={progress.ok ? progress.data.name : 'Study'} />
      {progress.ok ? (
        <StudyDetails study={progress.data} now={now} signedIn={signedIn} />
      ) : (
        <>
          <h1>Study</h1>
          <ProblemNotice problem={progress.problem} headingLevel={2} />
        </>
      )}
    </>
  );
}

function StudyDetails({ study, now, signedIn }: { study: StudyProgress; now: number; signedIn: SignedIn | null }) {
  const encrypted = study.spec.privacy.secureAggregation !== 'none';
  const manage = canManageStudy(signedIn?.user ?? null);
  const seeTokens = manage || Boolean(signedIn?.procedures.has('studies.tokens'));
  // Site pages: administrators and compliance officers (a site administrator has their own under My site).
  const linkSites = Boolean(signedIn?.procedures.has('sites.detail')) && signedIn?.user.role !== 'site_admin';
  return (
    <>
      <div className="page-head">
        <h1>{study.name}</h1>
        <StatusBadge status={study.status} />
        {study.pausedAt && study.status !== 'stopped' ? <span className="badge badge--warning">Paused</span> : null}
        <RefreshButton />
      </div>
      {study.spec.description ? <p className="lead">{study.spec.description}</p> : null}
      <StudyTabs studyId={study.id} current="progress" />
      {study.pausedAt && study.status !== 'stopped' ? (
        <div className="notice notice--warning" role="status" data-testid="paused-notice">
          <h2 className="notice__title">
            Paused since <DateTime iso={study.pausedAt} />
          </h2>
          <p>No round opens and the hub accepts no uploads for this study until it is resumed. Deadlines do not run out while it is paused.</p>
        </div>
      ) : null}
      {study.status === 'stopped' ? (
        <div className="notice notice--warning" role="status" data-testid="stopped-notice">
          <h2 className="notice__title">
            Stopped{study.stoppedAt ? (
              <>
                {' '}
                on <DateTime iso={study.stoppedAt} />
              </>
            ) : null}
          </h2>
          {study.stopReason ? <p>Reason: {study.stopReason}</p> : null}
          <p>No further rounds run. The model versions published before the stop are kept and can still be downloaded.</p>
        </div>
      ) : null}
      {manage ? <StudyControls studyId={study.id} studyName={study.name} status={study.status} paused={study.pausedAt !== null} /> : null}
      {study.failureReason ? (
        <div className="notice notice--error" role="alert">
          <h2 className="notice__title">The study failed</h2>
          <p>{study.failureReason}</p>
        </div>
      ) : null}
      <section className="panel" aria-labelledby="summary-heading">
        <h2 id="summary-heading">Summary</h2>
        <StudyFacts study={study} />
      </section>
      <section className="panel" aria-labelledby="sites-heading">
        <h2 id="sites-heading">
          Sites <span className="count-pill">{study.sites.length}</span>
        </h2>
        <p className="muted">Only sites whose administrator approved the study take part in its rounds.</p>
        <SitesTable sites={study.sites} encrypted={encrypted} now={now} linkSites={linkSites} />
      </section>
      {seeTokens ? <Invitations study={study} manage={manage} /> : null}
      <section className="panel" aria-labelledby="rounds-heading">
        <h2 id="rounds-heading">
          Rounds <span className="count-pill">{study.rounds.length}</span>
        </h2>
        <RoundsTable rounds={study.rounds} encrypted={encrypted} />
      </section>
      <section className="panel" aria-labelledby="metrics-heading">
        <h2 id="metrics-heading">Global metrics</h2>
        <GlobalMetrics study={study} />
      </section>
      <section className="panel" aria-labelledby="site-metrics-heading">
        <h2 id="site-metrics-heading">Validation by site</h2>
        <SiteValidation study={study} />
      </section>
      <section className="panel" aria-labelledby="models-heading">
        <h2 id="models-heading">
          Model versions <span className="count-pill">{study.models.length}</span>
        </h2>
        {study.models.length > 0 ? (
          <p className="muted">
            Each version downloads as a TensorFlow.js model: save model.json and weights.bin in one folder and load model.json with tf.loadLayersModel. The model card
            describes the data schema, training, sites, metrics, privacy settings and hashes.
          </p>
        ) : null}
        <ModelsTable models={study.models} rounds={study.rounds} studyId={study.id} />
      </section>
    </>
  );
}

/** Inviting sites (lead and administrators) and the study's enrolment tokens (also compliance officers, read-only). */
async function Invitations({ study, manage }: { study: StudyProgress; manage: boolean }) {
  const tokens = await listStudyTokens(study.id);
  const open = study.status !== 'completed' && study.status !== 'failed' && study.status !== 'stopped';
  return (
    <section className="panel" aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">
        Invitations {tokens.ok ? <span className="count-pill">{tokens.data.length}</span> : null}
      </h2>
      {manage && open ? (
        <>
          <p className="muted">
            Each hospital enrols with its own one-time token. Name the site as the consortium knows it, e.g. “Hôpital Saint-Louis” (letters, digits,
            spaces and . _ &apos; - only). The token is shown once, when you invite the site; the portal does not keep it.
          </p>
          <InviteSite studyId={study.id} hubUrl={hubAddress()} />
        </>
      ) : null}
      <h3 id="tokens-heading">Enrolment tokens</h3>
      {tokens.ok ? <TokensTable studyId={study.id} tokens={tokens.data} canRevoke={manage} /> : <ProblemNotice problem={tokens.problem} />}
    </section>
  );
}

/** Training loss and pooled validation per version: a chart, its summary, and the numbers as a hidden table. */
function GlobalMetrics({ study }: { study: StudyProgress }) {
  const metrics = metricsOverVersions(study.models, study.rounds);
  if (metrics.length === 0) {
    return (
      <EmptyState title="No metrics yet.">
        <p>Each completed training round publishes a model version with its training loss; the sites then validate it on their held-out rows.</p>
      </EmptyState>
    );
  }
  const summary = metricsSummary(metrics);
  return (
    <>
      <p className="muted" id="metrics-summary">
        {summary} Validation is pooled over the sites&apos; held-out rows (accuracy, loss and AUC weighted by rows).
      </p>
      <MetricsChart rows={metricsChartRows(metrics)} summary={summary} />
      <MetricsTable metrics={metrics} />
    </>
  );
}

/** The latest version's validation by each site; earlier versions behind disclosures, newest first. */
function SiteValidation({ study }: { study: StudyProgress }) {
  const models = [...study.models].sort((a, b) => b.version - a.version);
  const [latest, ...earlier] = models;
  if (!latest) {
    return (
      <EmptyState title="No model version to validate yet.">
        <p>Sites report accuracy, AUC and loss of every model version on their own held-out rows.</p>
      </EmptyState>
    );
  }
  return (
    <>
      <h3>Version {latest.version} (latest)</h3>
      <SiteMetricsTable model={latest} captionId={`site-metrics-v${latest.version}`} />
      {earlier.length > 0 ? (
        <div className="round-details">
          {earlier.map((model) => (
            <details key={model.id} className="disclosure">
              <summary>
                Version {model.version}
                <span className="disclosure__meta">
                  {model.evaluations.length} site{model.evaluations.length === 1 ? '' : 's'} reported
                </span>
              </summary>
              <SiteMetricsTable model={model} captionId={`site-metrics-v${model.version}`} />
            </details>
          ))}
        </div>
      ) : null}
    </>
  );
}
