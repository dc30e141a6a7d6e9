import { EmptyState } from '../components/empty-state.tsx';
import { HealthPanel } from '../components/health-panel.tsx';
import { ProblemNotice } from '../components/problem-notice.tsx';
import { RefreshButton } from '../components/refresh-button.tsx';
import { StudiesTable } from '../components/studies-table.tsx';
import { getHubHealth, listStudies } from '../server/hub.ts';

export default async function OverviewPage() {
  const [health, studies] = await Promise.all([getHubHealth(), listStudies()]);
  return (
    <>
      <div className="page-head">
        <h1>Consortium overview</h1>
        <RefreshButton />
      </div>
      <HealthPanel health={health} />
      <section className="panel" aria-labelledby="studies-heading">
        <h2 id="studies-heading">Studies</h2>
        {studies.ok ? (
          studies.data.length > 0 ? (
            <StudiesTable studies={studies.data} />
          ) : (
            <EmptyState title="No studies yet.">
              <p>
                Create one with <code>consilium-hub study:create spec.json --invite &quot;Site A,Site B&quot;</code>; it appears here as soon as
                it exists.
              </p>
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
