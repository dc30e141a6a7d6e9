import { EmptyState } from '../components/empty-state.tsx';
import { HealthPanel } from '../components/health-panel.tsx';
import { ProblemNotice } from '../components/problem-notice.tsx';
import { RefreshButton } from '../components/refresh-button.tsx';
import { StudiesTable } from '../components/studies-table.tsx';
import Link from 'next/link';
import { canCreateStudies } from '../lib/roles.ts';
import { getHubHealth, getSignedIn, listStudies } from '../server/hub.ts';

export default async function OverviewPage() {
  const [health, studies, signedIn] = await Promise.all([getHubHealth(), listStudies(), getSignedIn()]);
  const canCreate = canCreateStudies(signedIn?.user ?? null);
  return (
    <>
      <div className="page-head">
        <h1>Consortium overview</h1>
        <RefreshButton />
      </div>
      <HealthPanel health={health} />
      <section className="panel" aria-labelledby="studies-heading">
        <div className="panel__head">
          <h2 id="studies-heading">Studies</h2>
          {canCreate ? (
            <Link href="/studies/new" className="button">
              New study
            </Link>
          ) : null}
        </div>
        {studies.ok ? (
          studies.data.length > 0 ? (
            <StudiesTable studies={studies.data} />
          ) : (
            <EmptyState title="No studies yet.">
              {canCreate ? (
                <p>
                  Create one with the New study button (or <code>consilium-hub study:create spec.json</code>); it appears here as soon as it exists.
                </p>
              ) : (
                <p>Studies appear here as soon as a study lead creates one and your role may see it.</p>
              )}
            </EmptyState>
          )
        ) : !health.ok && studies.problem.kind === health.problem.kind ? (
          <p className="muted">Studies cannot be listed until the hub is reachable (see above).</p>
        ) : (
          <ProblemNotice problem={studies.problem} />
        )}
      </section>
    </>
  );
}
