'use client';

import { ErrorView } from '../../../../components/error-view.tsx';

export default function ContributionError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorView error={error} retry={retry} title="The contribution accounting could not be shown" />;
}
