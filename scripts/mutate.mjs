// A small mutation run over a list of hand-picked mutants: each is a one-line behaviour change a user
// would notice. For each: apply it to the source, run the test files of its area, put the file back, and
// count it killed (the tests failed or timed out) or survived (they passed). A contributor tool, not CI.
// Stryker (command runner on `node scripts/run-tests.mjs test/core/`) was tried first: it makes 12,151
// mutants of packages/core/src and its one dry run took 89 s here, i.e. days per run on 2 cores.
//
// Usage: node scripts/mutate.mjs [--list] [--no-baseline] [id ...]
//   --list          print the mutants and exit
//   --no-baseline   skip the check that each mutant's tests pass on the unmutated code
//   id ...          run only these mutants
import { readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
/** A mutant's tests are ended after this long and the mutant counted killed (a hang is a failure a user sees). */
const MUTANT_TIMEOUT_MS = 240_000;

/** `tests`: path substrings as for run-tests.mjs; `pattern`: an optional --test-name-pattern. */
const MUTANTS = [
  // The four survivors of issue 29's audit.
  {
    id: 'discover-sync-throw',
    file: 'packages/core/src/discovery/discover-hook.ts',
    search: '      running = Promise.reject(err);',
    replace: '      running = undefined;',
    tests: ['test/discovery/discover.test.ts'],
    pattern: 'throws synchronously',
  },
  {
    id: 'fastify-read-timer-while-client-slow',
    file: 'packages/fastify/src/exact-timeouts.ts',
    search: '    this.#paused = more === false;',
    replace: '    this.#paused = false;',
    tests: ['test/adapters/exact-timeouts.test.ts', 'test/adapters/large-bodies.test.ts'],
  },
  {
    id: 'cluster-reforked-worker-no-changes',
    file: 'packages/core/src/cluster/cluster-primary.ts',
    search: "send(worker, { [TAG]: 'state', changes, health",
    replace: "send(worker, { [TAG]: 'state', changes: [], health",
    tests: ['test/cluster/cluster.test.ts'],
  },
  {
    id: 'headers-drop-content-length-named-in-connection',
    file: 'packages/core/src/http/upstream-headers.ts',
    search: "named.has(name) && name !== 'content-length') continue;",
    replace: 'named.has(name)) continue;',
    tests: ['test/core/http/'],
  },
  // Sticky sessions.
  {
    id: 'sticky-forged-signature-accepted',
    file: 'packages/core/src/sticky/signed-value.ts',
    search: 'timingSafeEqual(given, expected) ? id : undefined',
    replace: 'true ? id : undefined',
    tests: ['test/core/sticky/'],
  },
  {
    id: 'sticky-learn-no-max-sessions',
    file: 'packages/core/src/sticky/session-table.ts',
    search: 'if (this.#entries.size >= this.#max && this.#oldest !== undefined)',
    replace: 'if (false && this.#oldest !== undefined)',
    tests: ['test/core/sticky/'],
  },
  {
    id: 'sticky-cookie-no-httponly',
    file: 'packages/core/src/sticky/set-cookie.ts',
    search: "if (cookie.httpOnly) out += '; httponly';",
    replace: "if (false) out += '; httponly';",
    tests: ['test/core/sticky/'],
  },
  // Discovery.
  {
    id: 'discover-update-after-close-applied',
    file: 'packages/core/src/discovery/discover-hook.ts',
    search: '      if (signal.aborted) return;\n',
    replace: '',
    tests: ['test/discovery/discover.test.ts'],
    pattern: 'close\\(\\) aborts',
  },
  {
    id: 'discover-invalid-update-not-thrown',
    file: 'packages/core/src/discovery/discover-hook.ts',
    search: '        this.#failed(err);\n        throw err;',
    replace: '        this.#failed(err);',
    tests: ['test/discovery/discover.test.ts'],
    pattern: 'applies each update',
  },
  // Admin API.
  {
    id: 'admin-delete-without-token',
    file: 'packages/core/src/admin/admin-api.ts',
    search: "const WRITES = new Set(['POST', 'PATCH', 'DELETE']);",
    replace: "const WRITES = new Set(['POST', 'PATCH']);",
    tests: ['test/adapters/admin-api.test.ts', 'test/admin/'],
  },
  {
    id: 'admin-any-bearer-token',
    file: 'packages/core/src/admin/admin-auth.ts',
    search: 'bearer !== undefined && tokenMatches(bearer, admin.token)) return',
    replace: 'bearer !== undefined) return',
    tests: ['test/adapters/admin-api.test.ts', 'test/admin/'],
  },
  // Cluster.
  {
    id: 'cluster-change-not-relayed',
    file: 'packages/core/src/cluster/cluster-primary.ts',
    search: "        others(worker, message);\n        return;\n      }\n      case 'health':",
    replace: "        return;\n      }\n      case 'health':",
    tests: ['test/cluster/cluster.test.ts'],
  },
  {
    id: 'cluster-every-worker-probes',
    file: 'packages/core/src/cluster/cluster-primary.ts',
    search: 'const isProber = prober === undefined || !joined.has(prober);',
    replace: 'const isProber = true;',
    tests: ['test/cluster/cluster.test.ts'],
  },
  // Hooks.
  {
    id: 'response-hook-changes-content-length',
    file: 'packages/core/src/hooks/response-hooks.ts',
    search: "  if (length !== undefined) given['content-length'] = length as string;\n",
    replace: '',
    tests: ['test/adapters/hooks-response.test.ts', 'test/core/config/hooks-config.test.ts'],
  },
  // Transport.
  {
    id: 'express-abandoned-answer-not-read-out',
    file: 'packages/express/src/abandoned-answer.ts',
    search: '    res.resume();\n',
    replace: '',
    tests: ['test/adapters/upstream-connection-reuse.test.ts'],
  },
  {
    id: 'fastify-no-connect-timer',
    file: 'packages/fastify/src/exact-timeouts.ts',
    search: '    if (connectMs <= 0) return connect(opts, callback);',
    replace: '    return connect(opts, callback);',
    tests: ['test/adapters/exact-timeouts.test.ts', 'test/adapters/timeout.test.ts'],
  },
  // Issue 24's request limits.
  {
    id: 'limit-conn-slot-never-released',
    file: 'packages/express/src/request-limits.ts',
    search: "  res.once('close', admission.release);",
    replace: "  res.once('close', () => {});",
    tests: ['test/adapters/request-limits.test.ts'],
  },
  {
    id: 'limit-req-burst-one-too-many',
    file: 'packages/core/src/limits/request-rate.ts',
    search: "      if (excess > burst) return { rc: 'busy', excess };",
    replace: "      if (excess > burst + 1000) return { rc: 'busy', excess };",
    tests: ['test/core/limits/request-rate.test.ts'],
  },
  {
    id: 'satisfy-any-ignores-allow',
    file: 'packages/core/src/limits/admission.ts',
    search: "  if (rules === 'allow') return true;",
    replace: '',
    tests: ['test/core/limits/access-and-auth.test.ts'],
  },
];

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...collect(full));
    else if (name.endsWith('.test.ts')) out.push(relative(root, full));
  }
  return out;
}

const allTests = collect(join(root, 'test'));

/** Runs the files matching `filters` (optionally one name pattern); resolves with 'pass', 'fail', 'timeout' or 'no-tests'. */
function runTests(filters, pattern) {
  const files = allTests.filter((f) => filters.some((x) => f.includes(x)));
  if (files.length === 0) return Promise.resolve('no-tests');
  const args = ['--conditions=switchyard-source', '--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000'];
  if (pattern !== undefined) args.push(`--test-name-pattern=${pattern}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...args, ...files], { cwd: root, stdio: 'ignore', detached: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, MUTANT_TIMEOUT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(timedOut ? 'timeout' : code === 0 ? 'pass' : 'fail');
    });
  });
}

const argv = process.argv.slice(2);
if (argv.includes('--list')) {
  for (const m of MUTANTS)
    console.log(
      `${m.id}\n  ${m.file}: ${JSON.stringify(m.search)} -> ${JSON.stringify(m.replace)}\n  tests: ${m.tests.join(' ')}${m.pattern ? ` (${m.pattern})` : ''}`,
    );
  process.exit(0);
}
const only = argv.filter((a) => !a.startsWith('--'));
const chosen = only.length > 0 ? MUTANTS.filter((m) => only.includes(m.id)) : MUTANTS;
if (chosen.length !== (only.length > 0 ? only.length : MUTANTS.length)) {
  console.error(`unknown mutant id among: ${only.join(', ')}`);
  process.exit(2);
}

// Every search text must be found exactly once: a mutant that no longer applies is an error, not a survivor.
for (const m of chosen) {
  const text = readFileSync(join(root, m.file), 'utf8');
  const count = text.split(m.search).length - 1;
  if (count !== 1) {
    console.error(`${m.id}: ${m.file} has its search text ${count} times (must be once): update the mutant`);
    process.exit(2);
  }
}

// The file being mutated is put back on Ctrl-C too.
let restore = () => {};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    restore();
    process.exit(130);
  });
}

if (!argv.includes('--no-baseline')) {
  const seen = new Set();
  for (const m of chosen) {
    const key = `${m.tests.join(' ')}|${m.pattern ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const result = await runTests(m.tests, m.pattern);
    if (result !== 'pass') {
      console.error(`baseline: the tests of ${m.id} do not pass on the unmutated code (${result}): fix them first`);
      process.exit(2);
    }
  }
  console.log("baseline: every mutant's tests pass on the unmutated code");
}

const results = [];
for (const m of chosen) {
  const path = join(root, m.file);
  const original = readFileSync(path, 'utf8');
  restore = () => writeFileSync(path, original);
  writeFileSync(path, original.replace(m.search, m.replace));
  const started = Date.now();
  let result;
  try {
    result = await runTests(m.tests, m.pattern);
  } finally {
    restore();
    restore = () => {};
  }
  const verdict = result === 'pass' || result === 'no-tests' ? 'SURVIVED' : 'killed';
  results.push({ id: m.id, verdict, result });
  console.log(`${verdict.padEnd(8)} ${m.id} (${result}, ${Math.round((Date.now() - started) / 1000)} s)`);
}

const killed = results.filter((r) => r.verdict === 'killed').length;
console.log(`\nscore: ${killed}/${results.length} killed (${Math.round((100 * killed) / results.length)}%)`);
const survivors = results.filter((r) => r.verdict === 'SURVIVED');
if (survivors.length > 0) console.log(`survived: ${survivors.map((r) => r.id).join(', ')}`);
process.exitCode = survivors.length === 0 ? 0 : 1;
