#!/usr/bin/env node
// Entry point for the `informant` command: checks the Node.js version, then runs the CLI:
// from the TypeScript sources in a source tree (Node >= 22.19 strips types), from the
// compiled dist/ in an installed package or the image, which ship no sources (Node does
// not strip types under node_modules).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assertNodeVersion } from './check-node.js';

assertNodeVersion();
const sources = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const built = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const entry = existsSync(sources) ? sources : built;
if (!existsSync(entry)) {
  process.stderr.write('informant: neither src/cli/main.ts nor dist/cli/main.js is here; run `npm run build` or reinstall the package\n');
  process.exit(1);
}
const { main } = await import(entry);
await main(process.argv);
