import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
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
import { metricsChartRows, metricsOverVersions, metricsSummary } from '../../../lib/model-metrics.ts';
import { getStudyProgress, type StudyProgress } from '../../../server/hub.ts';

interface StudyPageProps {
  params: Promise<{ id: string }>;
}

export async function generateMetadata({ params }: StudyPageProps): Promise<Metadata> {
  const progress = await getStudyProgress((await params).id);
  return { title: progress.ok ? progress.data.name : 'Study' };
}

export default async function StudyPage({ params }: StudyPageProps) {
  const { id } = await params;
  const progress = await getStudyProgress(id);
  if (!progress.ok && progress.problem.kind === 'not-found') notFound();
  await connection();
  const now = Date.now();

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <ol>
          <li>
            <Link href="/">Overview</Link>
          </li>
          <li aria-current="page">{progress.ok ? progress.data.name : 'Study'}</li>
        </ol>
      </nav>
      {progress.ok ? (
        <StudyDetails study={progress.data} now={now} />
      ) : (
        <>
          <h1>Study</h1>
          <ProblemNotice problem={progress.problem} headingLevel={2} />
        </>
      )}
    </>
  );
}

function StudyDetails({ study, now }: { study: StudyProgress; now: number }) {
  const encrypted = study.spec.privacy.secureAggregation !== 'none';
  return (
    <>
      <div className="page-head">
        <h1>{study.name}</h1>
        <StatusBadge status={study.status} />
        <RefreshButton />
      </div>
      {study.spec.description ? <p className="lead">{study.spec.description}</p> : null}
      <StudyTabs studyId={study.id} current="progress" />
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
        <SitesTable sites={study.sites} encrypted={encrypted} now={now} />
      </section>
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
