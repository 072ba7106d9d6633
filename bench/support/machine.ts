/**
 * The machine a run happened on, recorded with its results: the figures only mean
 * something next to the CPU, the memory, the Node version and how busy the machine was.
 */
import fs from 'node:fs';
import os from 'node:os';

export interface Machine {
  /** CPUs Node may use (`nproc`). */
  cpus: number;
  /** The CPU model from /proc/cpuinfo (or os.cpus() elsewhere). */
  cpuModel: string;
  /** Total memory, in bytes. */
  memoryBytes: number;
  node: string;
  platform: string;
  /** 1-minute load average when the run started and when it ended: other work on the machine skews figures. */
  load: { start: number; end?: number };
}

/** The machine as it is now. */
export function describeMachine(): Machine {
  return {
    cpus: os.availableParallelism(),
    cpuModel: cpuModel(),
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    load: { start: os.loadavg()[0]! },
  };
}

/** The current 1-minute load average. */
export function loadNow(): number {
  return os.loadavg()[0]!;
}

/** One line for headers: "2 × AMD EPYC, 23.5 GiB, Node v24.21.0, load 0.51". */
export function machineLine(machine: Machine): string {
  const gib = (machine.memoryBytes / 2 ** 30).toFixed(1);
  const load = machine.load.end === undefined ? `${machine.load.start.toFixed(2)}` : `${machine.load.start.toFixed(2)} → ${machine.load.end.toFixed(2)}`;
  return `${machine.cpus} × ${machine.cpuModel}, ${gib} GiB, Node ${machine.node}, ${machine.platform}, load average ${load}`;
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) return match[1]!.trim();
  } catch {
    // not Linux: fall back to what Node reports
  }
  return os.cpus()[0]?.model ?? 'unknown CPU';
}
