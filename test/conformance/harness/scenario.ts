/** @module The shape of one conformance scenario: an nginx config text, the backends it names, the requests sent, and which fields are compared. */

/** How a backend answers one request. */
export type Reply =
  | { status?: number; headers?: Record<string, string | string[]>; body?: string }
  /** Never answer (the socket stays open until the scenario ends). */
  | 'hang'
  /** Send a TCP RST once the request head is read. */
  | 'reset'
  /** Close the connection (FIN) without a byte of response. */
  | 'close'
  /** Write these bytes as the whole response, then close (for invalid status lines and such). */
  | { raw: string };

export interface BackendSpec {
  /** The answer to every request (default: 200, body = the backend's name). */
  reply?: Reply;
  /** Answers by request path (the path the backend sees, query included); wins over `reply`. */
  byPath?: Record<string, Reply>;
  /** Answers of the first requests this backend sees, in order; afterwards `byPath`/`reply`. */
  first?: Reply[];
}

/** A backend that refuses connections (its port was bound once and closed). */
export const REFUSED = 'refused';

/** One request of a sequence. A bare string is a GET of that path. */
export interface RequestSpec {
  method?: string;
  path: string;
  /**
   * Request headers as sent, in order; `Host: localhost` and `Connection: close` are added unless given.
   * `{{previous:NAME}}` in a value is the previous answer's NAME header from the same target (its own
   * ETag for an If-None-Match, say).
   */
  headers?: Array<[string, string]>;
  body?: string;
  /** Local address the client connects from (nginx `$remote_addr`, ip_hash); default 127.0.0.1. */
  from?: string;
  /**
   * Send it and do not wait for the answer: the sequence continues once a backend has seen it (a held
   * request, for least_conn and max_conns); it is aborted when the target's sequence ends.
   */
  hold?: boolean;
}

/** A pause where time is the subject (failure windows): waits `ms` after the previous answer. */
export interface WaitStep {
  wait: number;
}

export type Step = string | RequestSpec | WaitStep;

/** What is compared for every request of the scenario. `tries` and `status` always are. */
export interface Compare {
  /** Request headers the backend received (lowercase names), on every try. */
  request?: string[];
  /** Response headers the client received (lowercase names). */
  response?: string[];
  /** Response headers compared by presence only (`<present>` or absent): values each server makes its own way (ETag). */
  present?: string[];
  /** The path (with query) each try was sent with. */
  path?: boolean;
  /** The HTTP version each try was sent with. */
  version?: boolean;
  /** The method each try was sent with. */
  method?: boolean;
  /** The response body the client received. */
  body?: boolean;
}

/** The compared fields of one request, as a plain object (what nginx and each adapter are reduced to). */
export interface View {
  /** Backend names that saw the request, in order; `held` requests end with `...`. */
  tries: string;
  status: number | string;
  request?: Array<Record<string, string | undefined>>;
  response?: Record<string, string | undefined>;
  present?: Record<string, string | undefined>;
  path?: string[];
  version?: string[];
  method?: string[];
  body?: string;
}

export interface Scenario {
  /** Short unique name, shown in the test list. */
  name: string;
  /** Where the case comes from (an nginx-tests file, the issue item), for the reader. */
  from: string;
  /** Backends by name; their addresses fill `{{name}}` in the config. */
  backends: Record<string, BackendSpec | typeof REFUSED>;
  /**
   * The contents of nginx's `http { }` block. Placeholders: `{{listen}}` (the address nginx listens on),
   * `{{a}}` (backend a's host:port), `{{root}}` (a directory holding `files`).
   */
  http: string;
  /**
   * Files written into `{{root}}` (error pages, a static site): a name may have directories
   * (`docs/index.html`); one ending with `/` is an empty directory. Every file and directory gets the
   * mtime `FIXTURE_MTIME`, so Last-Modified is the same on the three targets.
   */
  files?: Record<string, string>;
  steps: Step[];
  /** Start the sequence just after a wall-clock second (nginx's failure clock ticks in whole seconds). */
  alignToSecond?: boolean;
  compare?: Compare;
  /** Optional: what nginx itself must answer (a guard that the scenario tests what it says). */
  nginx?: Array<Partial<View>>;
  /**
   * A documented deliberate difference (an id of the table in docs/nginx-conformance.md): instead of
   * equality, nginx must give `nginx` and both adapters `switchyard`, so the difference cannot drift.
   */
  deliberate?: { id: string; switchyard: Array<Partial<View>> };
}

/** The modification time of the scenario files (Last-Modified: Thu, 02 Jan 2020 03:04:05 GMT). */
export const FIXTURE_MTIME = new Date('2020-01-02T03:04:05Z');

/** `count` copies of a step. */
export function times(count: number, step: Step): Step[] {
  return Array.from({ length: count }, () => step);
}
