/**
 * The command-line flags of shared-store backends: each backend brings its own
 * (`--etcd-endpoints`, `--postgres-url`, …, declared with its config descriptor), shown
 * under a heading of its own in `informant run --help`, and handed to the config loader,
 * which sets them where the config uses that backend.
 */
import { Option, type Command } from 'commander';
import type { SharedBackendConfig, SharedFlagValues } from '../config/index.ts';

/** Adds the flags of every backend to `command`. */
export function addBackendFlags(command: Command, backends: readonly SharedBackendConfig[]): Command {
  for (const backend of backends) {
    for (const flag of backend.flags) {
      command.addOption(new Option(`--${flag.flag} ${flag.value}`, flag.description).helpGroup(`${backend.name} backend (publish, source.shared):`));
    }
  }
  return command;
}

/** The backend flags given on the command line, by flag name, as the config loader takes them. */
export function backendFlagValues(options: Readonly<Record<string, unknown>>, backends: readonly SharedBackendConfig[]): SharedFlagValues {
  const values: Record<string, string> = {};
  for (const flag of backends.flatMap((backend) => backend.flags)) {
    const value = options[camelCase(flag.flag)];
    if (typeof value === 'string') values[flag.flag] = value;
  }
  return values;
}

/** commander's attribute name of a flag: `postgres-url` → `postgresUrl`. */
function camelCase(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
