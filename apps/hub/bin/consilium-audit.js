#!/usr/bin/env node
// The audit verifier is TypeScript run directly by Node 24 (type stripping); see README.
import '../src/audit-cli.ts';
