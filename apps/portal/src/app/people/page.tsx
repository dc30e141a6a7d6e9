import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { AddPerson } from '../../components/people/add-person.tsx';
import { PeopleTable } from '../../components/people/people-table.tsx';
import { ProblemNotice } from '../../components/problem-notice.tsx';
import { RefreshButton } from '../../components/refresh-button.tsx';
import { getSignedIn, listPeople, listSites } from '../../server/hub.ts';

export const metadata: Metadata = { title: 'People' };

/**
 * People and their roles. Consortium administrators add people (with a one-time password), sign
 * them out everywhere and disable accounts; compliance officers see the list. The hub decides both.
 */
export default async function PeoplePage() {
  const [people, sites, signedIn] = await Promise.all([listPeople(), listSites(), getSignedIn()]);
  const canManage = signedIn?.procedures.has('users.create') ?? false;
  const siteList = sites.ok ? sites.data.map((s) => ({ id: s.id, name: s.name, active: s.status === 'active' })) : [];
  const enrolled = siteList.filter((s) => s.active).map(({ id, name }) => ({ id, name }));
  return (
    <>
      <div className="page-head">
        <h1>People</h1>
        <RefreshButton />
      </div>
      <p className="lead">
        Everyone with an account on this consortium&apos;s portal and what their role lets them do. Each change here is recorded in the audit log.
      </p>
      {canManage ? (
        <section className="panel" aria-labelledby="add-person-heading">
          <h2 id="add-person-heading">Add a person</h2>
          <p>The hub generates a one-time password, shown once; the person chooses their own password when they first sign in.</p>
          <AddPerson sites={enrolled} portalUrl={await portalOrigin()} />
        </section>
      ) : null}
      <section className="panel" aria-labelledby="people-heading">
        <h2 id="people-heading">
          Accounts {people.ok ? <span className="count-pill">{people.data.length}</span> : null}
        </h2>
        {people.ok ? (
          <PeopleTable people={people.data} sites={siteList} canManage={canManage} selfId={signedIn?.user.userId ?? null} />
        ) : (
          <ProblemNotice problem={people.problem} />
        )}
      </section>
    </>
  );
}

/** This portal's address as the browser reached it, for the sign-in link handed to a new person. */
async function portalOrigin(): Promise<string> {
  const h = await headers();
  const host = h.get('x-forwarded-host') ?? h.get('host') ?? 'localhost';
  const proto = h.get('x-forwarded-proto') ?? (host.startsWith('localhost') || host.startsWith('127.0.0.1') ? 'http' : 'https');
  return `${proto}://${host}`;
}
