/** @module The docs table of the corpus (docs/nginx-corpus.md), computed: each file as published through parseNginxConfig (warnings by kind), and the paths that answer as nginx by the corpus lists. */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parseNginxConfig, type ImportNote } from '@switchyard/core';
import { AWAITING_LIMITS, AWAITING_STATIC_AND_REWRITE, NOT_SCHEDULED, ONE_LISTENING_SIDE } from './awaiting.js';
import type { CorpusConfig } from './corpus-config.js';
import { CORPUS } from './configs/index.js';
import { FIXTURES, fixtureText } from './run-corpus-config.js';

/** What a note is about, in a few words: its directive, or the location it leaves out. */
function subject(note: ImportNote): string {
  const location = /^(location [^ ]+(?: [^ ]+)?) is not proxied/.exec(note.text);
  if (location) return `${location[1]} left out`;
  const quoted = /^"([^" ]+)/.exec(note.text);
  return quoted ? quoted[1]! : note.text.split(' ').slice(0, 3).join(' ');
}

function summary(notes: readonly ImportNote[]): string {
  if (notes.length === 0) return '0';
  const subjects = [...new Set(notes.map(subject))];
  return `${notes.length}: ${subjects.map((s) => `\`${s}\``).join(', ')}`;
}

function imported(config: CorpusConfig): { cell: string; harmless: string; changes: string } {
  const dir = join(FIXTURES, config.name);
  const files: Record<string, string> = {};
  for (const [name, path] of Object.entries(config.includes ?? {})) files[name] = readFileSync(isAbsolute(path) ? path : join(dir, path), 'utf8');
  try {
    const result = parseNginxConfig(fixtureText(config), { baseDir: dir, files });
    const notes = result.notes ?? [];
    return { cell: 'yes', harmless: summary(notes.filter((n) => n.kind === 'harmless')), changes: summary(notes.filter((n) => n.kind === 'changes')) };
  } catch (err) {
    return { cell: `refused: ${(err as Error).message}`, harmless: '-', changes: '-' };
  }
}

function behaviour(config: CorpusConfig): string {
  const cases = config.cases.map((c) => c.name);
  const count = (list: Readonly<Record<string, unknown>>): number => cases.filter((n) => n in list).length;
  if (config.nginxRefuses !== undefined) return `refused, as nginx refuses it (${config.refusedBecause ?? ''})`;
  if (config.refused !== undefined) return `refused (${config.refusedBecause ?? ''}); nginx answers its ${cases.length} paths as written`;
  const gap = NOT_SCHEDULED[config.name];
  if (gap !== undefined) return `refused today: ${gap.because}`;
  if (config.name in AWAITING_STATIC_AND_REWRITE) return `refused today, awaiting static files / try_files @name (${cases.length} paths)`;
  const awaiting = count(AWAITING_STATIC_AND_REWRITE) + count(AWAITING_LIMITS);
  const side = count(ONE_LISTENING_SIDE);
  const same = cases.length - awaiting - side;
  const notes = [awaiting > 0 ? `${awaiting} awaiting static/rewrite` : '', side > 0 ? `${side} :80 redirect twin (one listening side)` : ''].filter(
    (s) => s !== '',
  );
  return `${same} of ${cases.length} as nginx${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
}

/** The table's Markdown, one row per config. */
export function corpusTable(): string {
  const rows = [
    '| config | source | imported as is? | paths as nginx (both adapters) | warnings: harmless | warnings: changes what reaches the app | still by hand |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const config of CORPUS) {
    const { cell, harmless, changes } = imported(config);
    // A `|` ends a table cell even inside backticks (GitHub's tables): escaped everywhere.
    const cells = [config.name, config.source, cell, behaviour(config), harmless, changes, config.byHand].map((c) => c.replace(/\\?\|/g, '\\|'));
    rows.push(`| ${cells.join(' | ')} |`);
  }
  return rows.join('\n');
}
