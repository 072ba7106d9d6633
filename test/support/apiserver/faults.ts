/**
 * Fault injection for the test API server: what tests call (server.faults.*) and what the
 * request handlers consult (statusFor, takeStall, takeGarbage, splitting).
 */
import type { ResourceRef, ServedResource } from './resources.ts';
import { ApiError, reasonFor } from './status.ts';
import type { WatchStream } from './watch-stream.ts';

/** The request kinds a status fault can target. */
export type FaultVerb = 'list' | 'watch' | 'get' | 'create' | 'update' | 'patch' | 'delete';

/** Which requests a status fault answers. */
export interface StatusFaultOptions {
  /** Only requests for this resource; default every resource request (never discovery). */
  resource?: ResourceRef;
  /** Only this kind of request; default every kind. */
  verb?: FaultVerb;
  /** Retry-After header and details.retryAfterSeconds; default 1 for a 429, none otherwise. */
  retryAfterSeconds?: number;
}

/** Options of a one-shot status fault. */
export interface NextStatusOptions extends StatusFaultOptions {
  /** How many matching requests get the status; default 1. */
  times?: number;
}

/** What the faults act on; provided by the server. */
export interface FaultTargets {
  resolve(ref: ResourceRef): ServedResource;
  watches(resource?: ServedResource): WatchStream[];
  compact(): void;
  expireContinueTokens(): void;
  restart(): Promise<void>;
}

interface StatusRule {
  status: number;
  resourceId: string | undefined;
  verb: FaultVerb | undefined;
  retryAfterSeconds: number | undefined;
  remaining: number;
}

/** A queue of one-shot resource faults; undefined matches every resource. */
type Pending = Array<string | undefined>;

/** Fault controls of one TestApiServer. */
export class Faults {
  readonly #targets: FaultTargets;
  #next: StatusRule[] = [];
  #permanent: StatusRule[] = [];
  readonly #stalls: Pending = [];
  #hangs: Array<{ resourceId: string | undefined; verb: FaultVerb | undefined; remaining: number }> = [];
  #closingNew = new Set<string | undefined>();
  readonly #garbage: Pending = [];
  #split = false;

  constructor(targets: FaultTargets) {
    this.#targets = targets;
  }

  /** Destroys every open watch socket mid-stream (no clean end). */
  dropWatches(resource?: ResourceRef): void {
    for (const w of this.#watches(resource)) w.drop();
  }

  /** Ends every open watch cleanly, as a timeoutSeconds expiry does. */
  closeWatches(resource?: ResourceRef): void {
    for (const w of this.#watches(resource)) w.end();
  }

  /** The next watch request sends its headers and then nothing, until the client gives up. */
  stallNextWatch(resource?: ResourceRef): void {
    this.#stalls.push(this.#id(resource));
  }

  /**
   * Until disabled, every new watch (of this resource) ends cleanly right after its headers,
   * with no events: a server that closes watches immediately, over and over.
   */
  closeNewWatches(enabled: boolean, resource?: ResourceRef): void {
    if (enabled) this.#closingNew.add(this.#id(resource));
    else this.#closingNew.delete(this.#id(resource));
  }

  /**
   * The next matching request(s) get no answer at all, not even headers, until the client
   * gives up or the server closes (a connect that hangs).
   */
  hangNextRequest(options: { resource?: ResourceRef; verb?: FaultVerb; times?: number } = {}): void {
    this.#hangs.push({ resourceId: this.#id(options.resource), verb: options.verb, remaining: options.times ?? 1 });
  }

  /** Sends every open watch an in-stream ERROR event with a 410 Expired Status, then ends it. */
  expireWatches(resource?: ResourceRef): void {
    for (const w of this.#watches(resource)) w.expire();
  }

  /** Answers the next matching request(s) with this HTTP status and a Status body. */
  nextStatus(status: number, options: NextStatusOptions = {}): void {
    this.#next.push({ ...this.#rule(status, options), remaining: options.times ?? 1 });
  }

  /**
   * Until cleared, answers every matching request with this status. `undefined` clears the
   * rules with the same resource and verb (with no options: every permanent rule).
   */
  permanentStatus(status: number | undefined, options: StatusFaultOptions = {}): void {
    const rule = { ...this.#rule(status ?? 0, options), remaining: Infinity };
    if (status === undefined && options.resource === undefined && options.verb === undefined) {
      this.#permanent = [];
      return;
    }
    this.#permanent = this.#permanent.filter((r) => r.resourceId !== rule.resourceId || r.verb !== rule.verb);
    if (status !== undefined) this.#permanent.push(rule);
  }

  /** Every continue token issued so far answers 410 Expired when used. */
  expireContinueTokens(): void {
    this.#targets.expireContinueTokens();
  }

  /** Forgets all history: watches and continue tokens from an older resourceVersion get 410. */
  compact(): void {
    this.#targets.compact();
  }

  /** Drops every connection and serves again on the same port, keeping all state. */
  restart(): Promise<void> {
    return this.#targets.restart();
  }

  /**
   * While enabled, watch output is written in small random pieces (splitting events
   * mid-JSON, sometimes joining several) with blank lines between some events.
   */
  splitChunks(enabled: boolean): void {
    this.#split = enabled;
  }

  /** The next watch event written (for this resource) is a line of garbage instead. */
  nextInvalidJsonLine(resource?: ResourceRef): void {
    this.#garbage.push(this.#id(resource));
  }

  /** The error a request must be answered with, if a status fault matches it (consuming one-shot faults). */
  statusFor(resource: ServedResource, verb: string): ApiError | undefined {
    const matches = (r: StatusRule): boolean =>
      (r.resourceId === undefined || r.resourceId === resource.id) && (r.verb === undefined || r.verb === verb);
    const permanent = this.#permanent.find(matches);
    if (permanent !== undefined) return faultError(permanent, resource, verb);
    const next = this.#next.find(matches);
    if (next === undefined) return undefined;
    if (--next.remaining <= 0) this.#next = this.#next.filter((r) => r !== next);
    return faultError(next, resource, verb);
  }

  /** True (consuming one hangNextRequest) when this request must get no answer. */
  takeHang(resource: ServedResource, verb: string): boolean {
    const hang = this.#hangs.find(
      (h) => (h.resourceId === undefined || h.resourceId === resource.id) && (h.verb === undefined || h.verb === verb),
    );
    if (hang === undefined) return false;
    if (--hang.remaining <= 0) this.#hangs = this.#hangs.filter((h) => h !== hang);
    return true;
  }

  /** True while new watches of this resource must end at once (closeNewWatches). */
  closesNewWatches(resource: ServedResource): boolean {
    return this.#closingNew.has(undefined) || this.#closingNew.has(resource.id);
  }

  /** True (once per stallNextWatch) when this watch request must stall. */
  takeStall(resource: ServedResource): boolean {
    return take(this.#stalls, resource);
  }

  /** True (once per nextInvalidJsonLine) when this event must be garbage. */
  takeGarbage(resource: ServedResource): boolean {
    return take(this.#garbage, resource);
  }

  /** Whether watch output is being split. */
  splitting(): boolean {
    return this.#split;
  }

  #watches(resource: ResourceRef | undefined): WatchStream[] {
    return this.#targets.watches(resource === undefined ? undefined : this.#targets.resolve(resource));
  }

  #id(resource: ResourceRef | undefined): string | undefined {
    return resource === undefined ? undefined : this.#targets.resolve(resource).id;
  }

  #rule(status: number, options: StatusFaultOptions): Omit<StatusRule, 'remaining'> {
    return {
      status,
      resourceId: this.#id(options.resource),
      verb: options.verb,
      retryAfterSeconds: options.retryAfterSeconds ?? (status === 429 ? 1 : undefined),
    };
  }
}

/** Removes and reports the first pending entry matching the resource. */
function take(pending: Pending, resource: ServedResource): boolean {
  const index = pending.findIndex((id) => id === undefined || id === resource.id);
  if (index < 0) return false;
  pending.splice(index, 1);
  return true;
}

/** The Status error of an injected fault, worded like the real server where it matters. */
function faultError(rule: StatusRule, resource: ServedResource, verb: string): ApiError {
  const extras = rule.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: rule.retryAfterSeconds };
  const message =
    rule.status === 403
      ? `${resource.qualifiedName} is forbidden: User "system:anonymous" cannot ${verb} resource ` +
        `"${resource.resource}" in API group "${resource.group}" at the cluster scope`
      : `injected fault: ${rule.status} ${reasonFor(rule.status) || 'Unknown'} for ${verb} ${resource.qualifiedName}`;
  return new ApiError(rule.status, message, extras);
}
