/**
 * `env(name, default?)`: an environment variable of the informant process, only when the
 * template lists it under `allow_env`. The variables are the operator's (the Pod spec):
 * the allowlist keeps a name built from object data (`env(ing.metadata.annotations.x)`)
 * from reading any other, such as a credential in the environment, and makes plain what
 * an output depends on.
 */
import { TemplateFailure } from '../errors.ts';
import { activeScope } from './scope.ts';

/** The variable's value; `fallback` (default "") when it is unset. Fails for a name not in allow_env. */
export function env(name?: unknown, fallback?: unknown): unknown {
  const scope = activeScope('env');
  if (typeof name !== 'string' || name === '') throw new TemplateFailure('env(name): name must be a non-empty string');
  if (!scope.allowEnv.has(name)) {
    const allowed = scope.allowEnv.size === 0 ? 'it allows none' : `it allows ${[...scope.allowEnv].join(', ')}`;
    throw new TemplateFailure(`env(${JSON.stringify(safeName(name))}): not in templates.${scope.template}.allow_env (${allowed})`);
  }
  return scope.env[name] ?? fallback ?? '';
}

/** A name fit for a message: names in allow_env are letters, digits and _; anything else is not repeated. */
function safeName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name) ? name : `a string of ${name.length} characters`;
}
