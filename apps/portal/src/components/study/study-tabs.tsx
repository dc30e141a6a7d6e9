import Link from 'next/link';

/** Between a study's pages: its progress and its contribution accounting. The current one is marked for screen readers. */
export function StudyTabs({ studyId, current }: { studyId: string; current: 'progress' | 'contribution' }) {
  const pages = [
    { key: 'progress', href: `/studies/${studyId}`, label: 'Progress' },
    { key: 'contribution', href: `/studies/${studyId}/contribution`, label: 'Contribution and ownership' },
  ] as const;
  return (
    <nav aria-label="Study pages" className="subnav">
      <ul>
        {pages.map((page) => (
          <li key={page.key}>
            <Link href={page.href} aria-current={page.key === current ? 'page' : undefined}>
              {page.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
