'use client';

import { ErrorView } from '../../../components/error-view.tsx';

export default function StudyError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorView error={error} retry={retry} title="This study could not be shown" />;
}
