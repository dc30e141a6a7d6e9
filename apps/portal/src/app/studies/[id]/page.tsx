import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { ProblemNotice } from '../../../components/problem-notice.tsx';
import { RefreshButton } from '../../../components/refresh-button.tsx';
import { StatusBadge } from '../../../components/status-badge.tsx';
import { ModelsTable } from '../../../components/study/models-table.tsx';
import { RoundsTable } from '../../../components/study/rounds-table.tsx';
import { SitesTable } from '../../../components/study/sites-table.tsx';
import { StudyFacts } from '../../../components/study/study-facts.tsx';
import { StudyTabs } from '../../../components/study/study-tabs.tsx';
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
      <section className="panel" aria-labelledby="models-heading">
        <h2 id="models-heading">
          Model versions <span className="count-pill">{study.models.length}</span>
        </h2>
        <ModelsTable models={study.models} rounds={study.rounds} />
      </section>
    </>
  );
}
