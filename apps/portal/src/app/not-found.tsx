import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="notice notice--warning">
      <h1 className="notice__title">Page not found</h1>
      <p>There is nothing at this address. It may be a study that does not exist on this hub.</p>
      <p>
        <Link href="/">Back to the overview</Link>
      </p>
    </div>
  );
}
