import Link from 'next/link';

/** The trail above a page's heading: links to the pages above it, then the current page. */
export function Breadcrumb({ trail, current }: { trail: Array<{ href: string; label: string }>; current: string }) {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <ol>
        {trail.map((step) => (
          <li key={step.href}>
            <Link href={step.href}>{step.label}</Link>
          </li>
        ))}
        <li aria-current="page">{current}</li>
      </ol>
    </nav>
  );
}
