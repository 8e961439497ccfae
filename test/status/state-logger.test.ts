/** @module attachStateLogger: one line per state change, no-live-upstream at most once a second per upstream, nothing per request. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attachStateLogger, createSwitchyard } from '@switchyard/core';

function recorder() {
  const lines: string[] = [];
  return {
    lines,
    logger: {
      info: (m: string) => lines.push(`info ${m}`),
      warn: (m: string) => lines.push(`warn ${m}`),
      error: (m: string) => lines.push(`error ${m}`),
    },
  };
}

test('one line per change: added, updated, down/up (admin and passive), removed; one per failed try; nothing for ordinary requests', async (t) => {
  const a = 'http://127.0.0.1:8001';
  const b = 'http://127.0.0.1:8002';
  const c = 'http://127.0.0.1:8003';
  const sy = createSwitchyard({ upstreams: { api: { servers: [{ url: a, failTimeout: '1h' }, b] } } });
  t.after(() => sy.close());
  const { lines, logger } = recorder();
  const detach = attachStateLogger(sy, logger);
  for (let i = 0; i < 10; i++) sy.upstream('api').pick()?.release({ status: 200 });
  assert.deepEqual(lines, []);
  sy.addServer('api', c);
  sy.setServer('api', c, { drain: true });
  sy.setServer('api', c, { down: true });
  sy.setServer('api', c, { down: false, weight: 2 });
  sy.removeServer('api', c);
  const p = sy.upstream('api').pick();
  assert.equal(p?.server.url, a);
  p?.release({ failure: 'timeout' });
  assert.deepEqual(lines, [
    `info switchyard: api ${c} added`,
    `info switchyard: api ${c} updated (drain=true)`,
    `info switchyard: api ${c} updated (down=true)`,
    `warn switchyard: api ${c} is down (admin)`,
    `info switchyard: api ${c} updated (down=false weight=2)`,
    `info switchyard: api ${c} is up (admin)`,
    `info switchyard: api ${c} removed`,
    // A failed try: one line, at info (a logger at warn keeps only the state changes).
    `info switchyard: api ${a} try failed (timed out)`,
    `warn switchyard: api ${a} is failed (passive)`,
  ]);
  detach();
  sy.addServer('api', c);
  assert.equal(lines.length, 9);
});

test('no live upstream: logged at most once per second per upstream, with the count of the ones left out', async (t) => {
  const sy = createSwitchyard({ upstreams: { api: [{ url: 'http://127.0.0.1:8001', down: true }], web: [{ url: 'http://127.0.0.1:8002', down: true }] } });
  t.after(() => sy.close());
  const { lines, logger } = recorder();
  let now = 0;
  attachStateLogger(sy, logger, { now: () => now });
  for (let i = 0; i < 5; i++) assert.equal(sy.upstream('api').pick(), undefined);
  assert.equal(sy.upstream('web').pick(), undefined);
  now = 999;
  sy.upstream('api').pick();
  now = 1000;
  sy.upstream('api').pick();
  sy.upstream('api').pick();
  now = 5000;
  sy.upstream('api').pick();
  assert.deepEqual(lines, [
    'error switchyard: no live upstream in api',
    'error switchyard: no live upstream in web',
    'error switchyard: no live upstream in api (5 more since the last message)',
    'error switchyard: no live upstream in api (1 more since the last message)',
  ]);
});
