#!/usr/bin/env node
// The agent is TypeScript run directly by Node 24 (type stripping); see docs/site-admin-guide.md.
import '../src/cli.ts';
