// The Node.js version check of the `informant` command and the npm scripts. Node older
// than package.json's `engines` cannot run the TypeScript sources (it fails later with
// ERR_UNKNOWN_FILE_EXTENSION ".ts", or "Could not find test/**/*.test.ts", and no hint):
// say which version is needed and which one was found instead. Deliberately plain,
// dependency-free JavaScript that old Node versions still parse.
// `node bin/check-node.js` checks and exits 1 with the message when too old.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const packageFile = fileURLToPath(new URL('../package.json', import.meta.url));

/** The lowest version `engines.node` (">=22.19") allows, as [major, minor, patch]. */
export function requiredVersion(engines) {
  const match = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(String(engines).trim());
  if (!match) throw new Error(`package.json engines.node must be ">=X.Y", got ${JSON.stringify(engines)}`);
  return [Number(match[1]), Number(match[2] || 0), Number(match[3] || 0)];
}

/** Why `found` ("20.11.1") cannot run informant when `engines` is required, or undefined. */
export function nodeVersionProblem(found, engines) {
  const need = requiredVersion(engines);
  const have = String(found).replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if ((have[i] || 0) > need[i]) return undefined;
    if ((have[i] || 0) < need[i]) {
      return `informant needs Node.js ${engines} (Node 24 LTS recommended; see .nvmrc), but this is Node.js ${found}. ` +
        'Install a newer one (e.g. `nvm install` in this folder) and try again.';
    }
  }
  return undefined;
}

/** Exits with the problem on stderr when this Node is too old. */
export function assertNodeVersion() {
  const engines = JSON.parse(readFileSync(packageFile, 'utf8')).engines.node;
  const problem = nodeVersionProblem(process.versions.node, engines);
  if (problem === undefined) return;
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) assertNodeVersion();
