'use client';

import { ErrorView } from '../../../components/error-view.tsx';

export default function SiteError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorView error={error} retry={retry} title="This site could not be shown" />;
}
