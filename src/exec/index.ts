/**
 * Exec mode: the child process `informant run` supervises (see supervisor.ts).
 */
export { ChildSupervisor, exitCodeOf, DEFAULTS as EXEC_DEFAULTS, type ChildExit, type ChildState, type SupervisorOptions } from './supervisor.ts';
export { registerChildMetrics } from './metrics.ts';
