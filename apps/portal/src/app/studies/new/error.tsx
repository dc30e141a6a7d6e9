'use client';

import { ErrorView } from '../../../components/error-view.tsx';

export default function NewStudyError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorView error={error} retry={retry} title="The study wizard could not be shown" />;
}
