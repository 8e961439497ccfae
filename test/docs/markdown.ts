/** @module Reads the project's markdown (README.md, docs/*.md) as the docs tests see it: fenced code blocks with their snippet marks, links, and heading anchors by GitHub's slug rules. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/** README.md, CONTRIBUTING.md and every docs/*.md, as paths relative to the repository root. */
export function markdownFiles(): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', 'CONTRIBUTING.md', ...docs];
}

export interface CodeBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string's first word: `ts`, `sh`, `nginx`, ... ('' for none). */
  lang: string;
  /** Words of the `<!-- snippet: ... -->` comment right before the fence (blank lines allowed between). */
  marks: string[];
  code: string;
}

const SNIPPET_MARK = /^<!--\s*snippet:\s*([^>]*?)\s*-->$/;

export function codeBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  let marks: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const mark = SNIPPET_MARK.exec(line.trim());
    if (mark) {
      marks = (mark[1] as string).split(/\s+/).filter(Boolean);
      continue;
    }
    const fence = /^(`{3,})(\S*)/.exec(line);
    if (!fence) {
      if (line.trim() !== '') marks = [];
      continue;
    }
    const end = lines.findIndex((l, j) => j > i && l.startsWith(fence[1] as string) && l.trim() === fence[1]);
    if (end === -1) throw new Error(`${file}:${i + 1}: code block never closed`);
    blocks.push({ file, line: i + 1, lang: fence[2] as string, marks, code: lines.slice(i + 1, end).join('\n') });
    marks = [];
    i = end;
  }
  return blocks;
}

/** The text outside fenced code blocks and inline code spans, line numbers kept. */
function prose(file: string): string[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  let inFence = false;
  return lines.map((line) => {
    if (/^`{3,}/.test(line)) {
      inFence = !inFence;
      return '';
    }
    return inFence ? '' : line.replace(/`[^`]*`/g, '``');
  });
}

/** GitHub's heading anchor: lower case, punctuation removed (not `-` or `_`), spaces to `-`. */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links keep their text
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** Every anchor a file's headings give, duplicates numbered as GitHub does (`x`, `x-1`, `x-2`). */
export function anchors(file: string): Set<string> {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let inFence = false;
  for (const line of lines) {
    if (/^`{3,}/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1] as string);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    out.add(count === 0 ? base : `${base}-${count}`);
  }
  return out;
}

export interface Link {
  file: string;
  line: number;
  target: string;
}

export function links(file: string): Link[] {
  const out: Link[] = [];
  prose(file).forEach((text, index) => {
    for (const match of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) out.push({ file, line: index + 1, target: match[1] as string });
  });
  return out;
}
