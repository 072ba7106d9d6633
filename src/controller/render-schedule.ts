/**
 * RenderSchedule: when each template renders after a change. Templates share a Debouncer
 * when they have the same quiet period and maximum wait (their own debounce / max_wait,
 * else render's), so the usual config, where none sets its own, has exactly one. Every
 * store change triggers every Debouncer; when one fires, its templates become due and
 * the controller runs a cycle that renders them.
 */
import type { Config, TemplateConfig } from '../config/types.ts';
import type { Clock } from '../time/clock.ts';
import { Debouncer } from '../time/debouncer.ts';

/** The debounced render timing of one config version (see the module comment). */
export class RenderSchedule {
  readonly #groups: Array<{ debouncer: Debouncer; templates: readonly string[] }> = [];
  readonly #order: readonly string[];
  readonly #due = new Set<string>();

  /** `onDue` is called (from a timer) whenever templates became due. */
  constructor(config: Config, clock: Clock, onDue: () => void) {
    this.#order = config.templates.map((template) => template.name);
    const byTiming = new Map<string, { quietMs: number; maxWaitMs: number; templates: string[] }>();
    for (const template of config.templates) {
      const timing = timingOf(template, config);
      const key = `${timing.quietMs}/${timing.maxWaitMs}`;
      const group = byTiming.get(key) ?? { ...timing, templates: [] };
      group.templates.push(template.name);
      byTiming.set(key, group);
    }
    for (const { quietMs, maxWaitMs, templates } of byTiming.values()) {
      const debouncer = new Debouncer({ quietMs, maxWaitMs, clock }, () => {
        for (const name of templates) this.#due.add(name);
        onDue();
      });
      this.#groups.push({ debouncer, templates });
    }
  }

  /** A store changed: every template's quiet period starts again (and a burst's maximum wait starts). */
  trigger(): void {
    for (const group of this.#groups) group.debouncer.trigger();
  }

  /** The templates that became due since the last call, in config order; clears them. */
  takeDue(): string[] {
    const due = this.#order.filter((name) => this.#due.has(name));
    this.#due.clear();
    return due;
  }

  /** Drops every scheduled render. */
  cancel(): void {
    for (const group of this.#groups) group.debouncer.cancel();
    this.#due.clear();
  }
}

/** A template's quiet period and maximum wait: its own, else render's. */
function timingOf(template: TemplateConfig, config: Config): { quietMs: number; maxWaitMs: number } {
  return { quietMs: template.debounceMs ?? config.render.debounceMs, maxWaitMs: template.maxWaitMs ?? config.render.maxWaitMs };
}
