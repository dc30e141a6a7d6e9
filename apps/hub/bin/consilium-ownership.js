#!/usr/bin/env node
// The ownership statement verifier is TypeScript run directly by Node 24 (type stripping); see README.
import '../src/ownership-cli.ts';
