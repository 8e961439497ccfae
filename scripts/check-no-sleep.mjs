// Fails when a file under test/ awaits a bare timer: `await delay(n)`, `await sleep(n)`, `await setTimeout(n)`
// (node:timers/promises) or `await new Promise((r) => setTimeout(r, n))`. A sleep is not synchronisation:
// wait for an event, a counter or a barrier instead, or use a fake clock in core tests.
// Allowed without a comment: a sleep inside a loop (the poll interval of a bounded wait for a condition,
// or the pacing of a slow writer). Allowed with a comment: `// sleep-ok: <why>` on the line of the await or
// on one of the two lines above, for the rare case where time itself is the subject on a real server
// (a backend that answers late on purpose, a read timeout).
// Usage: node scripts/check-no-sleep.mjs [dir...]   (default: test/)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = new URL('..', import.meta.url).pathname;
const dirs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['test'];
const TIMER_NAMES = new Set(['delay', 'sleep', 'setTimeout', 'wait', 'pause']);
const ALLOW = /\/\/\s*sleep-ok:\s*\S/;

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (name === 'node_modules' || name === 'fixtures') continue;
    if (statSync(full).isDirectory()) out.push(...collect(full));
    else if (/\.(ts|mts|js|mjs)$/.test(name)) out.push(full);
  }
  return out;
}

/** `setTimeout(resolve, n)` (or `setTimeout(() => resolve(), n)`) inside a Promise executor whose resolve is `resolveName`. */
function executorSleeps(executor) {
  const resolveName = executor.parameters[0]?.name.getText();
  if (resolveName === undefined) return false;
  let timed = false;
  let otherUses = 0;
  const visit = (node, inTimer) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'setTimeout') {
      timed = true;
      for (const arg of node.arguments) visit(arg, true);
      return;
    }
    if (ts.isIdentifier(node) && node.text === resolveName && !inTimer) otherUses++;
    ts.forEachChild(node, (child) => visit(child, inTimer));
  };
  visit(executor.body, false);
  // resolve handed to anything else as well (an event, a waiter list): an event wait bounded by the timer.
  return timed && otherUses === 0;
}

/** The awaited expression is a bare timer. */
function isSleep(expr) {
  while (ts.isParenthesizedExpression(expr)) expr = expr.expression;
  if (ts.isCallExpression(expr) && ts.isIdentifier(expr.expression) && TIMER_NAMES.has(expr.expression.text)) {
    // `await setTimeout(n)` from node:timers/promises, `await delay(n)`; a callback-style setTimeout is not awaitable.
    return expr.arguments.length >= 1 && !ts.isFunctionLike(expr.arguments[0]);
  }
  if (ts.isNewExpression(expr) && ts.isIdentifier(expr.expression) && expr.expression.text === 'Promise') {
    const executor = expr.arguments?.[0];
    return executor !== undefined && (ts.isArrowFunction(executor) || ts.isFunctionExpression(executor)) && executorSleeps(executor);
  }
  return false;
}

/** Inside a loop of the same function: a poll interval or pacing, not synchronisation. */
function inLoop(node) {
  for (let n = node.parent; n !== undefined; n = n.parent) {
    if (ts.isFunctionLike(n)) return false;
    if (ts.isWhileStatement(n) || ts.isDoStatement(n) || ts.isForStatement(n) || ts.isForOfStatement(n) || ts.isForInStatement(n)) return true;
  }
  return false;
}

const findings = [];
for (const dir of dirs) {
  for (const file of collect(join(root, dir))) {
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (ts.isAwaitExpression(node) && isSleep(node.expression) && !inLoop(node)) {
        const line = source.getLineAndCharacterOfPosition(node.getStart()).line;
        const allowed = [line, line - 1, line - 2].some((i) => i >= 0 && ALLOW.test(lines[i] ?? ''));
        if (!allowed) findings.push(`${relative(root, file)}:${line + 1}: ${lines[line].trim()}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
}

if (findings.length > 0) {
  console.error(`A sleep used as synchronisation (wait for an event, a counter or a barrier; or say why with "// sleep-ok: <reason>"):`);
  for (const f of findings) console.error(`  ${f}`);
  process.exit(1);
}
console.log('check-no-sleep: no sleep used as synchronisation in test/');
