/** @module Every relative link of README.md, CONTRIBUTING.md and docs/*.md (and every link of a package README into this repository) names a file that exists and, for a `#fragment`, a heading of that file (GitHub's slugs). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { anchors, links, markdownFiles, root, slug } from './markdown.js';

test('slug follows GitHub: punctuation dropped, spaces to hyphens, code and links kept as text', () => {
  assert.equal(slug('Retry budget'), 'retry-budget');
  assert.equal(slug('node:cluster: one view across workers'), 'nodecluster-one-view-across-workers');
  assert.equal(slug('`resolve: true`: follow a DNS name'), 'resolve-true-follow-a-dns-name');
  assert.equal(slug('Comparing two builds (`bench/ab.ts`)'), 'comparing-two-builds-benchabts');
  assert.equal(slug('Passive health limits: panic mode'), 'passive-health-limits-panic-mode');
});

test('every relative link and anchor in the README and docs resolves', () => {
  const broken: string[] = [];
  let checked = 0;
  for (const file of markdownFiles()) {
    for (const link of links(file)) {
      if (/^[a-z][a-z+.-]*:/i.test(link.target)) continue; // https:, mailto:
      checked++;
      const [path = '', fragment] = link.target.split('#', 2);
      const target = path === '' ? file : normalize(join(dirname(file), path));
      if (target.startsWith('..')) broken.push(`${file}:${link.line}: ${link.target} leaves the repository`);
      else if (!existsSync(join(root, target))) broken.push(`${file}:${link.line}: ${link.target}: no file ${target}`);
      else if (fragment !== undefined && target.endsWith('.md') && !anchors(target).has(fragment))
        broken.push(`${file}:${link.line}: ${link.target}: no heading #${fragment} in ${target}`);
    }
  }
  assert.ok(checked > 50, `only ${checked} relative links found`);
  assert.deepEqual(broken, []);
});

const REPOSITORY = 'https://github.com/switchyard-lb/switchyard';

test("the package READMEs' absolute links into this repository name files and headings that exist", () => {
  const broken: string[] = [];
  let checked = 0;
  for (const pkg of ['core', 'fastify', 'express']) {
    const file = `packages/${pkg}/README.md`;
    for (const link of links(file)) {
      if (!link.target.startsWith(REPOSITORY)) continue;
      checked++;
      const rest = link.target.slice(REPOSITORY.length);
      const [path = '', fragment] = rest.split('#', 2);
      const target = path === '' ? 'README.md' : path.replace(/^\/(blob|tree)\/main\//, '');
      if (!existsSync(join(root, target))) broken.push(`${file}:${link.line}: ${link.target}: no file ${target}`);
      else if (fragment !== undefined && fragment !== 'readme' && !anchors(target).has(fragment))
        broken.push(`${file}:${link.line}: ${link.target}: no heading #${fragment} in ${target}`);
    }
  }
  assert.ok(checked >= 6, `only ${checked} links into the repository found`);
  assert.deepEqual(broken, []);
});

test('the README links every docs page', () => {
  const linked = new Set(links('README.md').map((l) => l.target.split('#')[0]));
  const missing = markdownFiles().filter((f) => f.startsWith('docs/') && !linked.has(f));
  assert.deepEqual(missing, []);
});
