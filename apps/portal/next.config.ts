import path from 'node:path';
import type { NextConfig } from 'next';

/** The monorepo root: Turbopack must see the workspace packages, which live outside this app. */
const monorepoRoot = path.join(import.meta.dirname, '..', '..');

const securityHeaders = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'same-origin' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
];

const nextConfig: NextConfig = {
  // Workspace packages export TypeScript source (with `.ts` import specifiers); Next compiles them.
  // The portal imports only types from @consilium/api plus its client factory (@consilium/api/client),
  // and the ownership statement's HTML renderer from @consilium/contribution (server only).
  transpilePackages: ['@consilium/api', '@consilium/contribution'],
  turbopack: { root: monorepoRoot },
  outputFileTracingRoot: monorepoRoot,
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }];
  },
};

export default nextConfig;
