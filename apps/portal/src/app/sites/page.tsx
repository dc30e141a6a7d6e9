import type { Metadata } from 'next';
import { ProblemNotice } from '../../components/problem-notice.tsx';
import { RefreshButton } from '../../components/refresh-button.tsx';
import { SitesList } from '../../components/sites/sites-list.tsx';
import { listSites } from '../../server/hub.ts';

export const metadata: Metadata = { title: 'Sites' };

export default async function SitesPage() {
  const sites = await listSites();
  return (
    <>
      <div className="page-head">
        <h1>Sites</h1>
        <RefreshButton />
      </div>
      <p className="lead">Choose a site to see its agent, its identity key, the studies it takes part in, and everything its agent uploaded to the hub.</p>
      <section className="panel" aria-labelledby="site-list-heading">
        <h2 id="site-list-heading">
          Enrolled sites {sites.ok ? <span className="count-pill">{sites.data.length}</span> : null}
        </h2>
        {sites.ok ? <SitesList sites={sites.data} /> : <ProblemNotice problem={sites.problem} />}
      </section>
    </>
  );
}
