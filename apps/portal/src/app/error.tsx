'use client';

import { ErrorView } from '../components/error-view.tsx';

export default function OverviewError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorView error={error} retry={retry} title="Something went wrong" />;
}
