/** @module The plugin takes an nginx configuration (`{ nginx }`) as well as options. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backendsFor } from '../adapters/support/setup.js';
import { bodies } from '../adapters/support/http.js';
import { startApp } from './support.js';

describe('nginx input', () => {
  it('balances an nginx upstream block with weights', async (t) => {
    const [a, b] = await backendsFor(t, 2);
    const host = (url: string): string => new URL(url).host;
    const nginx = `
      upstream app {
        server ${host(a!.url)} weight=2;
        server ${host(b!.url)};
      }
      server {
        location /svc/ { proxy_pass http://app/; }
      }
    `;
    const { url, app } = await startApp(t, { nginx });
    assert.deepEqual(await bodies(`${url}/svc/x`, 6), ['Server 1', 'Server 2', 'Server 1', 'Server 1', 'Server 2', 'Server 1']);
    assert.deepEqual(
      a!.seen.map((s) => s.url),
      ['/x', '/x', '/x', '/x'],
    );
    assert.equal(app.switchyard.status().upstreams.app!.servers.length, 2);
  });
});
