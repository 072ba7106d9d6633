#!/usr/bin/env node
// Entry point for the `informant` command: runs the compiled CLI when it has been built
// (`npm run build`), otherwise the TypeScript sources directly (Node >= 22.19 strips types).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const entry = existsSync(built) ? built : fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const { main } = await import(entry);
await main(process.argv);
