import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Breadcrumb } from '../../../../components/breadcrumb.tsx';
import { EmptyState } from '../../../../components/empty-state.tsx';
import { ProblemNotice } from '../../../../components/problem-notice.tsx';
import { RefreshButton } from '../../../../components/refresh-button.tsx';
import { Bytes, UploadsTable } from '../../../../components/sites/uploads-table.tsx';
import { siteHref } from '../../../../lib/roles.ts';
import { groupUploadsByStudy, siteNameFromSegment, uploadCount } from '../../../../lib/uploads.ts';
import { listSiteUploads, type SiteUpload } from '../../../../server/hub.ts';

interface SiteUploadsPageProps {
  params: Promise<{ name: string }>;
}

export async function generateMetadata({ params }: SiteUploadsPageProps): Promise<Metadata> {
  return { title: `What left ${siteNameFromSegment((await params).name)}` };
}

export default async function SiteUploadsPage({ params }: SiteUploadsPageProps) {
  const siteName = siteNameFromSegment((await params).name);
  const uploads = await listSiteUploads(siteName);
  if (!uploads.ok && uploads.problem.kind === 'not-found') notFound();

  return (
    <>
      <Breadcrumb
        trail={[
          { href: '/sites', label: 'Sites' },
          { href: siteHref(siteName), label: siteName },
        ]}
        current="Uploads"
      />
      <div className="page-head">
        <h1>What left {siteName}</h1>
        <RefreshButton />
      </div>
      <p className="lead">
        Everything your site&apos;s agent uploaded, as the hub accepted it. Compare with <code>consilium-agent log</code> on the site&apos;s server: the
        same uploads, sizes and SHA-256 hashes.
      </p>
      {uploads.ok ? <Uploads uploads={uploads.data} /> : <ProblemNotice problem={uploads.problem} headingLevel={2} />}
    </>
  );
}

function Uploads({ uploads }: { uploads: SiteUpload[] }) {
  if (uploads.length === 0) {
    return (
      <section className="panel" aria-label="Uploads">
        <EmptyState title="Nothing has left this site yet.">
          <p>The agent uploads an encrypted update for each training round it takes part in, and a partial decryption when the round&apos;s result is decrypted.</p>
        </EmptyState>
      </section>
    );
  }
  return (
    <>
      {groupUploadsByStudy(uploads).map((group, i) => {
        const headingId = `study-uploads-${i}`;
        return (
          <section key={group.studyId} className="panel" aria-labelledby={headingId} data-study-id={group.studyId}>
            <h2 id={headingId}>{group.studyName}</h2>
            <p className="muted" data-totals>
              {uploadCount(group.uploads.length)}, <Bytes bytes={group.totalBytes} /> in total
            </p>
            <UploadsTable group={group} headingId={headingId} />
          </section>
        );
      })}
    </>
  );
}
