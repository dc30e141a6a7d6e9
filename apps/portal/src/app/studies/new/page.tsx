import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { Breadcrumb } from '../../../components/breadcrumb.tsx';
import { StudyWizard } from '../../../components/study-wizard/study-wizard.tsx';
import { canCreateStudies } from '../../../lib/roles.ts';
import { roleLabel } from '../../../lib/forms.ts';
import { getSignedIn } from '../../../server/hub.ts';
import { loginUrl } from '../../../server/session-cookie.ts';

export const metadata: Metadata = { title: 'New study' };

export default async function NewStudyPage() {
  const signedIn = await getSignedIn();
  if (!signedIn) redirect(loginUrl({ next: '/studies/new' }));
  const { user } = signedIn;
  return (
    <>
      <Breadcrumb trail={[{ href: '/', label: 'Overview' }]} current="New study" />
      <div className="page-head">
        <h1>Create a study</h1>
      </div>
      {canCreateStudies(user) ? (
        <>
          <p className="lead">
            Six short steps describe what the sites train together: the data every site must have, the model, how rounds run and how updates are protected.
            Nothing is sent until you press Create study on the last step.
          </p>
          <StudyWizard />
        </>
      ) : (
        <div className="notice notice--warning" role="alert">
          <h2 className="notice__title">Your role cannot create studies</h2>
          <p>Studies are created by study leads and consortium administrators. You are signed in as {roleLabel(user.role).toLowerCase()}.</p>
          <p className="notice__hint">
            <Link href="/">Back to the overview</Link>
          </p>
        </div>
      )}
    </>
  );
}
