/** @module Child script for the close() test: follows a name through dnsmasq, then closes; the process must exit on its own. */
import { createSwitchyard } from '@switchyard/core';

const sy = createSwitchyard({
  upstreams: { api: { servers: [{ url: `http://${process.env.SY_NAME}:8080`, resolve: true }], resolver: { servers: [process.env.SY_DNS!] } } },
});
await sy.ready();
console.log(`servers ${sy.upstream('api').servers().length}`);
// Let a few re-resolutions happen (TTL 1 s), then close: nothing may keep the process alive after it.
// sleep-ok: timers of a running re-resolution are the subject; the parent only checks that this process exits.
await new Promise((r) => setTimeout(r, 1500));
await sy.close();
console.log('closed');
