/** @module Compares the Views of two targets request by request and prints a readable diff (one line per request, the differing fields side by side). */
import { isDeepStrictEqual } from 'node:util';
import { isRequest, requestOf } from './run-sequence.js';
import type { Scenario, View } from './scenario.js';

/** A View with only the fields of `expected` (for partial expectations). */
function only(view: View | undefined, expected: Partial<View>): Partial<View> | undefined {
  if (view === undefined) return undefined;
  const out: Partial<View> = {};
  for (const k of Object.keys(expected) as Array<keyof View>) (out as Record<string, unknown>)[k] = view[k];
  return out;
}

/** The labels of the requests (`#3 POST /x`), in the order of the views. */
function labels(scenario: Scenario): string[] {
  return scenario.steps.filter(isRequest).map((s, i) => {
    const r = requestOf(s);
    return `#${i + 1} ${r.method ?? 'GET'} ${r.path}${r.hold ? ' (held)' : ''}`;
  });
}

function show(v: unknown): string {
  if (v === undefined) return '(none)';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * Lines describing where `right` differs from `left` (empty when equal). `expected` views compare only
 * the fields they name.
 */
export function diffViews(
  scenario: Scenario,
  leftName: string,
  left: ReadonlyArray<Partial<View>>,
  rightName: string,
  right: ReadonlyArray<Partial<View>>,
): string[] {
  const out: string[] = [];
  const names = labels(scenario);
  const count = Math.max(left.length, right.length);
  for (let i = 0; i < count; i++) {
    const a = left[i];
    const b = right[i];
    if (isDeepStrictEqual(a, b)) continue;
    const fields = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]) as Set<keyof View>;
    const parts: string[] = [];
    for (const f of fields) {
      if (isDeepStrictEqual(a?.[f], b?.[f])) continue;
      parts.push(`    ${f}: ${leftName} ${show(a?.[f])}  |  ${rightName} ${show(b?.[f])}`);
    }
    out.push(`  ${names[i] ?? `#${i + 1}`}`, ...parts);
  }
  return out;
}

/** `actual` reduced to the fields each `expected` entry names, so it can be diffed against it. */
export function narrowed(actual: readonly View[], expected: ReadonlyArray<Partial<View>>): Array<Partial<View> | undefined> {
  return expected.map((e, i) => only(actual[i], e)).concat(actual.slice(expected.length).map(() => undefined));
}

/** The whole sequence as one compact line per request (the failure message shows it for context). */
export function transcript(scenario: Scenario, name: string, views: readonly View[]): string[] {
  const names = labels(scenario);
  return views.map((v, i) => {
    const extra = Object.entries(v)
      .filter(([k]) => k !== 'tries' && k !== 'status')
      .map(([k, x]) => `${k}=${show(x)}`)
      .join(' ');
    return `  ${name.padEnd(7)} ${(names[i] ?? '').padEnd(28)} ${v.tries}:${v.status}${extra ? ` ${extra}` : ''}`;
  });
}
