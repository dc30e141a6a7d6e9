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
  // the ownership statement's HTML renderer from @consilium/contribution, and (server only, for the
  // model downloads) TensorFlow.js model building from @consilium/fl/artifacts with the data schema
  // helpers of @consilium/data and @consilium/schemas.
  transpilePackages: ['@consilium/api', '@consilium/contribution', '@consilium/fl', '@consilium/data', '@consilium/schemas'],
  turbopack: { root: monorepoRoot },
  outputFileTracingRoot: monorepoRoot,
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }];
  },
};

export default nextConfig;
