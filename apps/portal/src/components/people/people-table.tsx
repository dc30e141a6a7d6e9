import { roleLabel } from '../../lib/forms.ts';
import { accountState } from '../../lib/people.ts';
import type { Person } from '../../server/hub.ts';
import { DateTime } from '../date-time.tsx';
import { EmptyState } from '../empty-state.tsx';
import { TableRegion } from '../table-region.tsx';
import { PersonActions } from './person-actions.tsx';

/**
 * People with an account: name and email, role (a site administrator's site), state, last sign-in
 * and live sessions. Administrators get each row's actions, except on their own row: the hub refuses
 * disabling or signing out one's own account, so the page does not offer it.
 */
export function PeopleTable({ people, sites, canManage, selfId }: { people: Person[]; sites: Array<{ id: string; name: string; active: boolean }>; canManage: boolean; selfId: string | null }) {
  const siteNames = new Map(sites.map((s) => [s.id, s.name] as const));
  const enrolled = sites.filter((s) => s.active).map(({ id, name }) => ({ id, name }));
  if (people.length === 0) {
    return (
      <EmptyState title="Nobody has an account yet.">
        <p>The first consortium administrator is created with the hub&apos;s command line (consilium-hub user:create).</p>
      </EmptyState>
    );
  }
  return (
    <TableRegion labelledBy="people-caption">
      <table className="table">
        <caption id="people-caption" className="visually-hidden">
          People
        </caption>
        <thead>
          <tr>
            <th scope="col">Person</th>
            <th scope="col">Role</th>
            <th scope="col">Account</th>
            <th scope="col">Last sign-in</th>
            {canManage ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {people.map((person) => {
            const state = accountState(person);
            const site = person.siteId ? (siteNames.get(person.siteId) ?? 'an unknown site') : null;
            return (
              <tr key={person.id} data-person-state={state.label}>
                <th scope="row">
                  {person.displayName}
                  <span className="sub">{person.email}</span>
                </th>
                <td>
                  {roleLabel(person.role)}
                  {site ? <span className="sub">{site}</span> : null}
                </td>
                <td>
                  <span className={`badge badge--${state.tone}`}>{state.label}</span>
                </td>
                <td>
                  <DateTime iso={person.lastSignInAt} fallback="Never" />
                  <span className="sub">{person.liveSessions === 1 ? '1 live session' : `${person.liveSessions} live sessions`}</span>
                </td>
                {canManage ? (
                  <td>{person.id !== selfId && !person.disabledAt ? (
                      <PersonActions userId={person.id} displayName={person.displayName} role={person.role} siteId={person.siteId} liveSessions={person.liveSessions} sites={enrolled} />
                    ) : null}</td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableRegion>
  );
}
