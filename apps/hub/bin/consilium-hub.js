#!/usr/bin/env node
// The hub is TypeScript run directly by Node 24 (type stripping); see README.
import '../src/cli.ts';
