/**
 * @module Nanoseconds per call of buildUpstreamHeaders / filterResponseHeaders for a JS-written and an imported nginx location, per checkout.
 *
 * Usage: node --import tsx bench/header-build.ts [checkout...] (default: this one), e.g. `. ../base`.
 * Runs in one process on the sources (no build); pin it (`taskset -c 0`) and repeat: the figures move
 * with the machine's load, the difference between the two locations of one checkout less so.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const N = 2_000_000;
const incoming = { host: 'shop.example', 'user-agent': 'wrk', accept: '*/*', 'accept-encoding': 'gzip', cookie: 'a=1', connection: 'keep-alive' };
const upstreamHead = { 'content-type': 'text/plain', 'content-length': '2', date: 'x', server: 'nginx', connection: 'keep-alive', 'keep-alive': 'timeout=5' };

for (const checkout of process.argv.length > 2 ? process.argv.slice(2) : ['.']) {
  const core = (await import(pathToFileURL(resolve(checkout, 'packages/core/src/index.ts')).href)) as typeof import('../packages/core/src/index.js');
  const candidates = {
    js: { upstreams: { seed: ['http://127.0.0.1:9001'] }, locations: { '/': 'seed' } },
    nginx: { nginx: 'upstream seed { server 127.0.0.1:9001; }\nserver { location / { proxy_pass http://seed; } }' },
  };
  for (const [name, input] of Object.entries(candidates)) {
    const sy = core.createSwitchyard(input);
    const route = sy.match('GET', '/');
    if (route === undefined || route.redirect !== undefined) throw new Error('no route');
    const location = route.location;
    const ctx = { peerIp: '127.0.0.1', encrypted: false, trusted: false, location, server: sy.upstream('seed').servers()[0]! };
    const hidden = (location as { hiddenHeaders?: ReadonlySet<string> }).hiddenHeaders;
    let sink = 0;
    for (let i = 0; i < N / 10; i++) sink += Object.keys(core.buildUpstreamHeaders(incoming, ctx)).length;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) sink += Object.keys(core.buildUpstreamHeaders(incoming, ctx)).length;
    const t1 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) sink += Object.keys(core.filterResponseHeaders(upstreamHead, false, hidden)).length;
    const t2 = process.hrtime.bigint();
    console.log(
      `${checkout} ${name}: request headers ${(Number(t1 - t0) / N).toFixed(0)} ns, response headers ${(Number(t2 - t1) / N).toFixed(0)} ns${sink === 0 ? '!' : ''}`,
    );
    await sy.close();
  }
}
