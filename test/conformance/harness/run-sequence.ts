/** @module Sends a scenario's steps, one at a time, to one target (nginx or an adapter) and reduces each exchange to the compared View. */
import { BACKEND_DATE, type BackendSet, type Seen } from './recording-backends.js';
import { send, type RawAnswer, type Sent } from './raw-client.js';
import type { Compare, RequestSpec, Scenario, Step, View } from './scenario.js';

/** What one target did with the sequence: a View per request, or why it could not be run at all. */
export type Outcome = { views: View[] } | { failed: string };

const HOLD_POLLS = 500;

export function isRequest(step: Step): step is string | RequestSpec {
  return typeof step === 'string' || 'path' in step;
}

export function requestOf(step: string | RequestSpec): RequestSpec {
  return typeof step === 'string' ? { path: step } : step;
}

/** Runs every step against the target listening on `port`; `backends` is reset first. */
export async function runSequence(scenario: Scenario, port: number, backends: BackendSet): Promise<View[]> {
  backends.reset();
  const views: View[] = [];
  const held: Array<{ sent: Sent; index: number; from: number }> = [];
  // sleep-ok: time is the subject: nginx counts failure windows in whole wall-clock seconds, so the scenario starts just after one begins.
  if (scenario.alignToSecond) await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
  let lastAnswerAt = Date.now();
  let previous: RawAnswer | undefined;
  try {
    for (const step of scenario.steps) {
      if (!isRequest(step)) {
        // Time is the subject here (a failure window): wait relative to the previous answer.
        const until = lastAnswerAt + step.wait;
        await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now())));
        continue;
      }
      const req = requestOf(step);
      const from = backends.log.length;
      const headers = (req.headers ?? []).map(([n, v]): [string, string] => [n, fromPrevious(v, previous)]);
      const sent = send(port, { method: req.method ?? 'GET', path: req.path, headers, body: req.body, from: req.from });
      if (req.hold) {
        // Continue once a backend has the request (or the proxy answered without one: then it is a normal exchange).
        let answered: RawAnswer | string | undefined;
        sent.answer.then(
          (a) => (answered = a),
          (e: Error) => (answered = `error: ${e.message}`),
        );
        for (let i = 0; i < HOLD_POLLS && backends.log.length === from && answered === undefined; i++) await new Promise((r) => setTimeout(r, 10));
        if (answered === undefined && backends.log.length === from) throw new Error(`held request ${req.path}: no backend saw it within ${HOLD_POLLS} polls`);
        if (answered === undefined) {
          views.push(view(scenario.compare, backends, from, backends.log.length, 'held', port));
          held.push({ sent, index: views.length - 1, from });
          continue;
        }
        views.push(view(scenario.compare, backends, from, backends.log.length, answered, port));
        continue;
      }
      let answer: RawAnswer | string;
      try {
        answer = await sent.answer;
      } catch (err) {
        answer = `error: ${(err as Error).message}`;
      }
      lastAnswerAt = Date.now();
      previous = typeof answer === 'string' ? undefined : answer;
      views.push(view(scenario.compare, backends, from, backends.log.length, answer, port));
    }
  } finally {
    for (const h of held) h.sent.abort();
    await Promise.allSettled(held.map((h) => h.sent.answer));
  }
  return views;
}

/** Reduces one exchange to the fields the scenario compares, with addresses and ports replaced by names. */
function view(compare: Compare | undefined, backends: BackendSet, from: number, to: number, answer: RawAnswer | string, port: number): View {
  const tries = backends.log.slice(from, to);
  const names = tries.map((s) => s.backend);
  const norm = normaliser(backends, port);
  const v: View = { tries: names.join('>') || '-', status: typeof answer === 'string' ? answer : answer.status };
  if (answer === 'held') v.tries += '...';
  if (compare?.request) v.request = tries.map((s) => pickRequest(s, compare.request ?? [], norm));
  if (compare?.path) v.path = tries.map((s) => s.url);
  if (compare?.version) v.version = tries.map((s) => s.version);
  if (compare?.method) v.method = tries.map((s) => s.method);
  if (compare?.response) {
    const r: Record<string, string | undefined> = {};
    for (const name of compare.response) {
      const value = typeof answer === 'string' ? undefined : answer.headers[name];
      r[name] = responseValue(name, value === undefined ? undefined : norm(value), backends);
    }
    v.response = r;
  }
  if (compare?.present) {
    const r: Record<string, string | undefined> = {};
    for (const name of compare.present) r[name] = typeof answer !== 'string' && answer.headers[name] !== undefined ? '<present>' : undefined;
    v.present = r;
  }
  if (compare?.body) v.body = typeof answer === 'string' ? '' : answer.body;
  return v;
}

/** `{{previous:NAME}}` in a header value: that header of the target's previous answer (empty when it had none). */
function fromPrevious(value: string, previous: RawAnswer | undefined): string {
  return value.replace(/\{\{previous:([a-z0-9-]+)\}\}/g, (_, name: string) => previous?.headers[name] ?? '');
}

function pickRequest(s: Seen, names: readonly string[], norm: (v: string) => string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name of names) {
    const values = s.headers.get(name);
    // Repeated headers stay visible as repeats (` | `): a duplicate is itself a finding.
    out[name] = values === undefined ? undefined : values.map(norm).join(' | ');
  }
  return out;
}

/** Backend addresses become `{a}`, the target's own port `{port}`, so the three targets read the same. */
function normaliser(backends: BackendSet, port: number): (v: string) => string {
  return (v) => {
    let out = v;
    for (const [name, address] of backends.addresses) out = out.split(address).join(`{${name}}`);
    return out.split(`:${port}`).join(':{port}');
  };
}

/**
 * Date and Server: whether the upstream's value passed, not the proxy's own clock or product token (nginx
 * writes `Server: nginx/1.22.1`, an app writes its own or none: for Server both read `<not upstream>`).
 */
function responseValue(name: string, value: string | undefined, backends: BackendSet): string | undefined {
  if (name === 'date') return value === undefined ? undefined : value === BACKEND_DATE ? '<upstream>' : '<own>';
  if (name === 'server') return [...backends.addresses.keys()].some((b) => value === `backend-${b}`) ? value : '<not upstream>';
  return value;
}
