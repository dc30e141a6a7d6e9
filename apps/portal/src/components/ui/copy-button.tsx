'use client';
/** Copies a text to the clipboard and says whether it worked (browsers may block it). */
import { useState } from 'react';
import { Button } from 'react-aria-components';

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  return (
    <span className="copy">
      <Button
        className="button button--quiet"
        onPress={() => {
          navigator.clipboard.writeText(text).then(
            () => setCopied('yes'),
            () => setCopied('no'),
          );
        }}
      >
        {label}
      </Button>
      <span role="status" className="copy__status">
        {copied === 'yes' ? 'Copied.' : copied === 'no' ? 'Copying is blocked by the browser: select the text and copy it.' : ''}
      </span>
    </span>
  );
}
