import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import { Suspense, type ReactNode } from 'react';
import { SessionArea } from '../components/session-area.tsx';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Consilium portal', template: '%s · Consilium portal' },
  description: 'Consortium overview: hub health, studies, rounds and model versions.',
  robots: { index: false, follow: false },
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  colorScheme: 'light dark',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to main content
        </a>
        <header className="site-header">
          <div className="container site-header__inner">
            <Link href="/" className="brand">
              Consilium <span className="brand__sub">portal</span>
            </Link>
            <Suspense fallback={null}>
              <SessionArea />
            </Suspense>
          </div>
        </header>
        <main id="main" className="container main" tabIndex={-1}>
          {children}
        </main>
        <footer className="site-footer">
          <div className="container">Consilium: federated learning for hospital consortia. Hub data is read live on every page load.</div>
        </footer>
      </body>
    </html>
  );
}
