/** @module Every code block of README.md, CONTRIBUTING.md, docs/*.md and the package READMEs is checked: ts/js type-checked in one TypeScript program against the workspace sources, `run` blocks executed, json parsed, nginx parsed, sh commands resolved (conventions: CONTRIBUTING.md, "Code blocks in the docs"). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { parseNginxConfig } from '@switchyard/core';
import { codeBlocks, markdownFiles, root, type CodeBlock } from './markdown.js';
import { jsoncToJson, shellCommands, toModule, type Snippet } from './snippets.js';

/** The project's markdown, and the package READMEs npm shows (their links are checked by test/packaging and links.test.ts). */
const PACKAGE_READMES = ['packages/core/README.md', 'packages/fastify/README.md', 'packages/express/README.md'];
const blocks = [...markdownFiles(), ...PACKAGE_READMES].flatMap(codeBlocks);
const where = (b: CodeBlock): string => `${b.file}:${b.line}`;
const TS_LANGS = new Set(['ts', 'js', 'typescript', 'javascript']);
const CHECKED_LANGS = new Set([...TS_LANGS, 'sh', 'bash', 'json', 'jsonc', 'nginx']);
/** Blocks in these languages are shown, not checked: plain text (diagrams, log lines, trees) and YAML. */
const SHOWN_LANGS = new Set(['', 'text', 'yaml']);

test('every code block is in a language the docs tests know', () => {
  const unknown = blocks.filter((b) => !CHECKED_LANGS.has(b.lang) && !SHOWN_LANGS.has(b.lang)).map((b) => `${where(b)}: \`\`\`${b.lang}`);
  assert.deepEqual(unknown, []);
  const marks = new Set(['fragment', 'options', 'run', 'error', 'fastify', 'express', 'core']);
  const badMarks = blocks.flatMap((b) =>
    b.marks.filter((m) => !marks.has(m) && !/^at=[\w./-]+$/.test(m)).map((m) => `${where(b)}: unknown snippet mark "${m}"`),
  );
  assert.deepEqual(badMarks, []);
  assert.ok(blocks.filter((b) => TS_LANGS.has(b.lang)).length >= 25);
});

/** A module beside the snippets that names the real options type, to compare the documented one with. */
const REAL_OPTIONS = {
  fileName: '__docs_real_options.ts',
  text: [
    `import type { SwitchyardOptions, UpstreamOptions, ServerOptions, LocationOptions } from '@switchyard/core';`,
    'export type Real = SwitchyardOptions;',
    'export type RealUpstream = UpstreamOptions;',
    'export type RealServer = ServerOptions;',
    'export type RealLocation = LocationOptions;',
    '',
  ].join('\n'),
};

function typeCheck(snippets: Snippet[]): { problems: string[]; program: ts.Program } {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  assert.ok(config);
  const byPath = new Map(snippets.map((s) => [join(root, s.fileName), s]));
  const extra = new Map([[join(root, REAL_OPTIONS.fileName), REAL_OPTIONS.text]]);
  const host = ts.createCompilerHost(config.options);
  const { getSourceFile, fileExists, readFile } = host;
  const textOf = (f: string): string | undefined => byPath.get(f)?.text ?? extra.get(f);
  host.fileExists = (f) => textOf(f) !== undefined || fileExists.call(host, f);
  host.readFile = (f) => textOf(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, ...rest) => {
    const text = textOf(f);
    return text !== undefined ? ts.createSourceFile(f, text, lang, true, ts.ScriptKind.TS) : getSourceFile.call(host, f, lang, ...rest);
  };
  const program = ts.createProgram({ rootNames: [...byPath.keys(), ...extra.keys()], options: { ...config.options, noEmit: true }, host });
  const problems: string[] = [];
  for (const [path, snippet] of byPath) {
    const file = program.getSourceFile(path);
    assert.ok(file, path);
    for (const d of [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]) {
      const line = d.start === undefined ? 0 : file.getLineAndCharacterOfPosition(d.start).line - snippet.offset;
      problems.push(`${snippet.block.file}:${snippet.block.line + 1 + line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
  }
  return { problems, program };
}

/** The `interface SwitchyardOptions` written out in docs/configuration.md has exactly the real type's fields. */
function documentedOptionsDiffer(program: ts.Program, snippets: Snippet[]): string[] {
  const checker = program.getTypeChecker();
  const fieldsOf = (file: string, name: string): string[] => {
    const source = program.getSourceFile(join(root, file));
    const node = source?.statements.find((s) => (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) && s.name.text === name);
    assert.ok(node, `${file}: no ${name}`);
    return checker
      .getTypeAtLocation(node)
      .getProperties()
      .map((p) => p.name)
      .sort();
  };
  const documented = snippets.find((s) => s.block.file === 'docs/configuration.md' && /^interface SwitchyardOptions \{/m.test(s.block.code));
  assert.ok(documented, 'docs/configuration.md writes out interface SwitchyardOptions');
  const shown = fieldsOf(documented.fileName, 'SwitchyardOptions');
  const real = propertiesOf(program, 'Real');
  return [...real.filter((f) => !shown.includes(f)).map((f) => `missing ${f}`), ...shown.filter((f) => !real.includes(f)).map((f) => `not an option: ${f}`)];
}

/** The option names in the first column of the table of docs/configuration.md after the line starting with `lead` (`retry.on` counts as `retry`). */
function tableOptions(lead: string): string[] {
  const lines = readFileSync(join(root, 'docs/configuration.md'), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith(lead));
  assert.ok(start !== -1, `docs/configuration.md: no ${lead}`);
  const names = new Set<string>();
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('|')) inTable = true;
    else if (inTable) break;
    const first = line.split('|')[1] ?? '';
    for (const m of first.matchAll(/`([A-Za-z]\w*)[^`]*`/g)) names.add(m[1] as string);
  }
  return [...names].sort();
}

function propertiesOf(program: ts.Program, typeName: string): string[] {
  const source = program.getSourceFile(join(root, REAL_OPTIONS.fileName));
  const node = source?.statements.find((s) => ts.isTypeAliasDeclaration(s) && s.name.text === typeName);
  assert.ok(node, typeName);
  return program
    .getTypeChecker()
    .getTypeAtLocation(node)
    .getProperties()
    .map((p) => p.name)
    .sort();
}

/** Hooks are accepted on an upstream as defaults of its locations: the Location table documents them. */
const HOOKS = ['rewriteRequest', 'rewriteResponseHeaders', 'onError', 'interceptErrors'];

test('every ts/js block type-checks against the workspace packages (one program)', () => {
  const snippets = blocks.filter((b) => TS_LANGS.has(b.lang)).map(toModule);
  const { problems, program } = typeCheck(snippets);
  assert.deepEqual(problems, []);
  assert.deepEqual(documentedOptionsDiffer(program, snippets), [], 'docs/configuration.md: interface SwitchyardOptions');
  // The option tables of docs/configuration.md name every field of the real types, and nothing else.
  const tables: Array<[string, string, string[]]> = [
    ['**Upstream**', 'RealUpstream', [...tableOptions('**Upstream**'), ...HOOKS]],
    ['**Server**', 'RealServer', tableOptions('**Server**')],
    ['**Location**', 'RealLocation', tableOptions('**Location**')],
  ];
  for (const [lead, typeName, documented] of tables) {
    const real = propertiesOf(program, typeName);
    const diff = [
      ...real.filter((f) => !documented.includes(f)).map((f) => `undocumented: ${f}`),
      ...documented.filter((f) => !real.includes(f)).map((f) => `not an option: ${f}`),
    ];
    assert.deepEqual(diff, [], `docs/configuration.md, the ${lead} table`);
  }
});

test('blocks marked `run` run to completion on their own', () => {
  const runnable = blocks.filter((b) => TS_LANGS.has(b.lang) && b.marks.includes('run'));
  assert.ok(runnable.length >= 2);
  const dir = mkdtempSync(join(root, '.docs-run-'));
  try {
    for (const [i, block] of runnable.entries()) {
      const file = join(dir, `snippet-${i}.ts`);
      writeFileSync(file, `${block.code}\nexport {};\n`);
      const result = spawnSync(process.execPath, ['--conditions=switchyard-source', '--import', 'tsx', file], { cwd: root, encoding: 'utf8', timeout: 30_000 });
      assert.equal(result.status, 0, `${where(block)} exited ${String(result.status)} ${result.signal ?? ''}\n${result.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every json block parses (jsonc: comments and ... elisions allowed)', () => {
  const bad: string[] = [];
  for (const block of blocks.filter((b) => b.lang === 'json' || b.lang === 'jsonc')) {
    try {
      JSON.parse(block.lang === 'jsonc' ? jsoncToJson(block.code) : block.code);
    } catch (error) {
      bad.push(`${where(block)}: ${(error as Error).message}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('every nginx block parses with parseNginxConfig (or fails, when marked `error`)', () => {
  const nginx = blocks.filter((b) => b.lang === 'nginx');
  assert.ok(nginx.length > 0);
  const bad: string[] = [];
  for (const block of nginx) {
    let error: unknown;
    try {
      parseNginxConfig(block.code);
    } catch (e) {
      error = e;
    }
    if (block.marks.includes('error') && error === undefined) bad.push(`${where(block)}: marked error but parses`);
    if (!block.marks.includes('error') && error !== undefined) bad.push(`${where(block)}: ${(error as Error).message}`);
  }
  assert.deepEqual(bad, []);
});

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
/** pnpm's own commands the docs use, beside the package.json scripts. */
const PNPM_COMMANDS = new Set(['install', 'add', 'pack', 'publish', 'exec', 'run']);
/** Programs the sh blocks may call that are not in the repository. */
const PROGRAMS = new Set(['npm', 'curl', 'grep', 'cd', 'for', 'do', 'done', 'git', 'apt-get', 'export', 'nginx', 'wrk', 'printf', 'dnsmasq', 'pkill']);

function checkCommand(cmd: string): string | undefined {
  const words = cmd.split(/\s+/);
  const [first = '', second = ''] = words;
  if (first === 'npx' && /^pnpm@/.test(second)) {
    const args = words.slice(2).filter((w) => !w.startsWith('-'));
    const name = args[0] === 'run' ? args[1] : args[0];
    if (name === undefined || name === 'test' || manifest.scripts[name] !== undefined || PNPM_COMMANDS.has(name)) return undefined;
    return `pnpm "${name}" is neither a package.json script nor a pnpm command`;
  }
  if (first === 'pnpm') return checkCommand(`npx pnpm@9.15.9 ${words.slice(1).join(' ')}`);
  if (first === 'npx') return existsSync(join(root, 'node_modules/.bin', second)) ? undefined : `npx ${second}: not installed`;
  if (first === 'node') {
    const rest = words.slice(1);
    for (let i = 0; i < rest.length; i++) {
      const w = rest[i] as string;
      if (w === '--import' || w === '-r') i++;
      else if (!w.startsWith('-')) return existsSync(join(root, w)) ? undefined : `node ${w}: no such file`;
    }
    return undefined;
  }
  return PROGRAMS.has(first) ? undefined : `"${first}" is not a command the docs tests know`;
}

test('every sh block names commands that exist (pnpm scripts, files run by node, installed bins)', () => {
  const bad: string[] = [];
  for (const block of blocks.filter((b) => b.lang === 'sh' || b.lang === 'bash')) {
    for (const cmd of shellCommands(block.code)) {
      const problem = checkCommand(cmd);
      if (problem) bad.push(`${where(block)}: ${cmd}: ${problem}`);
    }
  }
  assert.deepEqual(bad, []);
});

test("the README's two commands are the demo and the test command, and .ci/run runs exactly the test command", () => {
  const first = blocks.find((b) => b.file === 'README.md' && b.lang === 'sh');
  assert.ok(first);
  const commands = first.code.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  assert.deepEqual(commands, ['npx pnpm@9.15.9 install && npx pnpm@9.15.9 demo', 'npx pnpm@9.15.9 install --frozen-lockfile && npx pnpm@9.15.9 test']);
  const ci = readFileSync(join(root, '.ci/run'), 'utf8').trim().split('\n');
  assert.equal(ci.at(-1), commands[1]);
});
