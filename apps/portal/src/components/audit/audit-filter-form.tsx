import Link from 'next/link';
import type { AuditForm } from '../../lib/audit.ts';

export interface Option {
  value: string;
  label: string;
}

/**
 * The viewer's filter: a plain GET form, so the filter lands in the URL (bookmarkable, and it works
 * without JavaScript). Applying it starts again at the newest matching event.
 */
export function AuditFilterForm({ form, studies, sites, actions }: { form: AuditForm; studies: Option[]; sites: Option[]; actions: string[] }) {
  // A value in the URL that the lists do not hold (a study not visible, an unknown action) stays selectable.
  const withCurrent = (options: Option[], value: string): Option[] => (value && !options.some((o) => o.value === value) ? [...options, { value, label: value }] : options);
  return (
    <form className="audit-filter" method="get" action="/audit" aria-label="Filter the audit log">
      <div className="field">
        <label htmlFor="audit-study">Study</label>
        <select id="audit-study" name="study" defaultValue={form.study}>
          <option value="">All studies</option>
          {withCurrent(studies, form.study).map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-site">Site</label>
        <select id="audit-site" name="site" defaultValue={form.site}>
          <option value="">All sites</option>
          {withCurrent(sites, form.site).map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-actor">Actor</label>
        <input id="audit-actor" name="actor" defaultValue={form.actor} placeholder="hub, cli, admin:<label>, site:<id>, user:<id>" autoComplete="off" spellCheck={false} />
      </div>
      <div className="field">
        <label htmlFor="audit-action">Action</label>
        <select id="audit-action" name="action" defaultValue={form.action}>
          <option value="">All actions</option>
          {withCurrent(
            actions.map((a) => ({ value: a, label: a })),
            form.action,
          ).map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-from">From (UTC, inclusive)</label>
        <input id="audit-from" name="from" type="datetime-local" defaultValue={form.from} />
      </div>
      <div className="field">
        <label htmlFor="audit-to">To (UTC, exclusive)</label>
        <input id="audit-to" name="to" type="datetime-local" defaultValue={form.to} />
      </div>
      <div className="actions audit-filter__actions">
        <button type="submit" className="button">
          Apply filter
        </button>
        <Link href="/audit">Clear</Link>
      </div>
    </form>
  );
}
