'use client';

import { ErrorView } from '../../../../components/error-view.tsx';

export default function SiteUploadsError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorView error={error} retry={retry} title="What left this site could not be shown" />;
}
