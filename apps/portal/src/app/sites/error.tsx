'use client';

import { ErrorView } from '../../components/error-view.tsx';

export default function SitesError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorView error={error} retry={retry} title="The sites could not be shown" />;
}
