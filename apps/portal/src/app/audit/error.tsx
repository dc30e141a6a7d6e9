'use client';

import { ErrorView } from '../../components/error-view.tsx';

export default function AuditError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorView error={error} retry={retry} title="The audit log could not be shown" />;
}
