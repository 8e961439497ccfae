/** @module Turns README/docs code blocks into checkable units: ts/js blocks into virtual modules (fragments get a prelude of declared ambient names), jsonc into JSON, sh lines into the commands they name. */
import type { CodeBlock } from './markdown.js';

/** The frameworks a fragment can be written against: `<!-- snippet: fragment fastify -->`. */
export type Framework = 'fastify' | 'express' | 'core';

interface Ambient {
  name: string;
  /** A line declaring it (an import or a `declare`), left out when the block declares the name itself. */
  line: string;
}

const CORE_TYPES = [
  'SwitchyardOptions',
  'UpstreamOptions',
  'ServerOptions',
  'LocationOptions',
  'Duration',
  'ResolverOptions',
  'RequestInfo',
  'AdminAddition',
  'Switchyard',
  'RewriteStep',
];

function typeImports(from: string): Ambient[] {
  return CORE_TYPES.map((name) => ({ name, line: `import type { ${name} } from '${from}';` }));
}

const COMMON: Ambient[] = [
  { name: 'options', line: `declare const options: import('@switchyard/core').SwitchyardOptions;` },
  { name: 'metrics', line: 'declare const metrics: { inc(labels: Record<string, string>): void };' },
  { name: 'isOps', line: 'declare function isOps(req: import("@switchyard/core").RequestInfo): boolean;' },
];

/** Names a fragment may use without declaring them, per framework (documented in CONTRIBUTING.md). */
const AMBIENT: Record<Framework, Ambient[]> = {
  fastify: [
    { name: 'switchyard', line: `import switchyard from '@switchyard/fastify';` },
    { name: 'app', line: `declare const app: import('fastify').FastifyInstance;` },
    { name: 'sy', line: `declare const sy: import('@switchyard/fastify').FastifySwitchyard;` },
    { name: 'auth', line: `declare const auth: import('fastify').onRequestHookHandler;` },
    { name: 'signToken', line: 'declare function signToken(user: { id: string } | undefined): Promise<string>;' },
    ...typeImports('@switchyard/core'),
    ...COMMON,
  ],
  express: [
    { name: 'switchyard', line: `import { switchyard } from '@switchyard/express';` },
    { name: 'app', line: `declare const app: import('express').Express;` },
    { name: 'lb', line: `declare const lb: ReturnType<typeof import('@switchyard/express').switchyard>;` },
    { name: 'server', line: `declare const server: import('node:http').Server;` },
    { name: 'sy', line: `declare const sy: import('@switchyard/core').Switchyard;` },
    ...typeImports('@switchyard/core'),
    ...COMMON,
  ],
  core: [{ name: 'sy', line: `declare const sy: import('@switchyard/core').Switchyard;` }, ...typeImports('@switchyard/core'), ...COMMON],
};

/** What a fastify fragment's `request.user` is: what an auth plugin would declare. */
const FASTIFY_AUGMENT = `declare module 'fastify' { interface FastifyRequest { user?: { id: string } } }`;

export interface Snippet {
  block: CodeBlock;
  /** Virtual file name, relative to the repository root (ESM, workspace packages resolvable); `at=DIR` puts it in DIR. */
  fileName: string;
  text: string;
  /** Lines added before the block's first line. */
  offset: number;
}

function declares(code: string, name: string): boolean {
  const bindings = [...code.matchAll(/^import\s+(?:type\s+)?([^'"]*?)\s+from\s/gm)].map((m) => m[1] as string);
  if (bindings.some((b) => new RegExp(`\\b${name}\\b`).test(b))) return true;
  return new RegExp(`\\b(const|let|var|function|class|interface|type)\\s+${name}\\b`).test(code);
}

export function framework(block: CodeBlock): Framework {
  const found = block.marks.find((m): m is Framework => m === 'fastify' || m === 'express' || m === 'core');
  return found ?? 'core';
}

/**
 * A ts/js block as a module. `fragment`: statements using the ambient names of its framework.
 * `options`: the properties of an options object (`upstreams: {...}, admin: {...}`), checked as SwitchyardOptions;
 * its import lines are lifted out. `at=DIR`: the module sits in DIR, for relative imports.
 */
export function toModule(block: CodeBlock, index: number): Snippet {
  const dir = block.marks.find((m) => m.startsWith('at='))?.slice(3);
  const name = `__docs_snippet_${index}_${block.file.replace(/\W/g, '_')}_${block.line}.ts`;
  const fileName = dir === undefined ? name : `${dir}/${name}`;
  const isFragment = block.marks.includes('fragment');
  const isOptions = block.marks.includes('options');
  if (!isFragment && !isOptions) return { block, fileName, text: `${block.code}\nexport {};\n`, offset: 0 };
  const fw = framework(block);
  const lines = block.code.split('\n');
  const imports = isOptions ? lines.filter((l) => /^import\s/.test(l)) : [];
  const body = isOptions ? lines.map((l) => (/^import\s/.test(l) ? '' : l)) : lines;
  const prelude = AMBIENT[fw].filter((a) => !declares(block.code, a.name)).map((a) => a.line);
  if (fw === 'fastify') prelude.push(`import '@switchyard/fastify';`, FASTIFY_AUGMENT);
  prelude.push(...imports);
  if (isOptions) prelude.push('export const __options: Partial<SwitchyardOptions> = {');
  const text = [...prelude, ...body, isOptions ? '};' : '', 'export {};', ''].join('\n');
  return { block, fileName, text, offset: prelude.length };
}

/** jsonc blocks: `// comments` and `...` elisions (outside strings) removed, then trailing commas. */
export function jsoncToJson(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') {
      const end = text.indexOf('"', i + 1);
      let j = end;
      while (j !== -1 && text[j - 1] === '\\') j = text.indexOf('"', j + 1);
      if (j === -1) return out + text.slice(i);
      out += text.slice(i, j + 1);
      i = j;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (text.startsWith('...', i)) i += 2;
    else out += c;
  }
  return out
    .replace(/,(\s*,)+/g, ',')
    .replace(/,(\s*[}\]])/g, '$1')
    .replace(/([{[]\s*),/g, '$1');
}

/** The commands of a sh block: comments dropped, continuations joined, split on `&&`, `||`, `;`, `|`, `(`, `)`. */
export function shellCommands(code: string): string[] {
  return code
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, ''))
    .flatMap((line) => line.split(/&&|\|\||[;|()]/))
    .map((cmd) => cmd.trim().replace(/^(\w+=("[^"]*"|'[^']*'|\S*)\s*)+/, ''))
    .filter((cmd) => cmd !== '');
}
