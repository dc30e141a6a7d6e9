'use client';

import { ErrorView } from '../../components/error-view.tsx';

export default function PeopleError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorView error={error} retry={retry} title="The people could not be shown" />;
}
