/** Placeholder while a page's hub data loads (streamed first, replaced when the data arrives). */
export function PageSkeleton({ label }: { label: string }) {
  return (
    <div className="skeleton" aria-busy="true">
      <p role="status" className="skeleton__label">
        {label}
      </p>
      <div className="skeleton__block skeleton__block--title" aria-hidden="true" />
      <div className="skeleton__block" aria-hidden="true" />
      <div className="skeleton__block skeleton__block--tall" aria-hidden="true" />
    </div>
  );
}
