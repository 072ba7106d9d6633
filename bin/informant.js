#!/usr/bin/env node
// Entry point for the `informant` command: checks the Node.js version, then runs the
// compiled CLI when it has been built (`npm run build`), otherwise the TypeScript sources
// directly (Node >= 22.19 strips types).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assertNodeVersion } from './check-node.js';

assertNodeVersion();
const built = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const entry = existsSync(built) ? built : fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const { main } = await import(entry);
await main(process.argv);
