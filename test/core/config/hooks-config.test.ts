/** @module Hook options at configuration time: functions and statuses checked naming the field, location hooks over upstream defaults, nothing resolved when none is set. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, SwitchyardConfigError, type SwitchyardOptions } from '@switchyard/core';

function configError(options: SwitchyardOptions): string {
  try {
    void createSwitchyard(options).close();
  } catch (err) {
    assert.ok(err instanceof SwitchyardConfigError, String(err));
    return err.message;
  }
  assert.fail('expected a configuration error');
}

const servers = ['http://127.0.0.1:1'];

describe('hook options', () => {
  it('names the field of a hook that is not a function', () => {
    assert.equal(
      configError({ upstreams: { api: servers }, locations: { '/api/': { upstream: 'api', rewriteRequest: 'x' as never } } }),
      'locations["/api/"].rewriteRequest must be a function, got "x"',
    );
    assert.equal(
      configError({ upstreams: { api: { servers, rewriteResponseHeaders: {} as never } } }),
      'upstreams.api.rewriteResponseHeaders must be a function, got an object',
    );
    assert.equal(
      configError({ upstreams: { api: servers }, locations: { '/': { upstream: 'api', onError: 5 as never } } }),
      'locations["/"].onError must be a function, got 5',
    );
  });

  it('checks interceptErrors: integer statuses 300-599, and an onError to answer them', () => {
    const onError = () => undefined;
    assert.equal(
      configError({ upstreams: { api: servers }, locations: { '/': { upstream: 'api', onError, interceptErrors: 503 as never } } }),
      'locations["/"].interceptErrors must be an array of HTTP statuses (integers 300-599), got 503',
    );
    assert.equal(
      configError({ upstreams: { api: servers }, locations: { '/': { upstream: 'api', onError, interceptErrors: [502, 200] } } }),
      'locations["/"].interceptErrors[1] must be an HTTP status, an integer 300-599, got 200',
    );
    assert.equal(
      configError({ upstreams: { api: servers }, locations: { '/': { upstream: 'api', onError, interceptErrors: [502.5] } } }),
      'locations["/"].interceptErrors[0] must be an HTTP status, an integer 300-599, got 502.5',
    );
    assert.equal(
      configError({ upstreams: { api: servers }, locations: { '/': { upstream: 'api', interceptErrors: [502] } } }),
      'locations["/"].interceptErrors needs an onError hook to answer the intercepted statuses (on the location or its upstream)',
    );
    assert.equal(
      configError({ upstreams: { api: { servers, interceptErrors: [502] } } }),
      'upstreams.api.interceptErrors needs an onError hook to answer the intercepted statuses (on the location or its upstream)',
    );
    assert.match(
      configError({ upstreams: { api: servers }, locations: { '/': { upstream: 'api', onErrors: onError } as never } }),
      /locations\["\/"\]\.onErrors is not a known option \(did you mean onError\?\)/,
    );
  });

  it('merges a location over its upstream, field by field; none set resolves to undefined', () => {
    const upstreamError = () => undefined;
    const upstreamHeaders = () => {};
    const ownRequest = () => {};
    const sy = createSwitchyard({
      upstreams: { api: { servers, onError: upstreamError, rewriteResponseHeaders: upstreamHeaders }, plain: servers },
      locations: {
        '/own/': { upstream: 'api', rewriteRequest: ownRequest, interceptErrors: [502, 503] },
        '/inherit/': 'api',
        '/plain/': 'plain',
      },
    });
    try {
      const [own, inherit, plain] = sy.config.locations;
      assert.equal(own!.hooks!.rewriteRequest, ownRequest);
      assert.equal(own!.hooks!.onError, upstreamError);
      assert.equal(own!.hooks!.rewriteResponseHeaders, upstreamHeaders);
      assert.deepEqual([...own!.hooks!.interceptErrors], [502, 503]);
      assert.equal(inherit!.hooks!.onError, upstreamError);
      assert.equal(inherit!.hooks!.rewriteRequest, undefined);
      assert.equal(inherit!.hooks!.interceptErrors.size, 0);
      assert.equal(plain!.hooks, undefined);
      // proxyTo locations take hooks too, validated the same way.
      assert.equal(sy.createLocation('plain', { onError: upstreamError }).hooks!.onError, upstreamError);
      assert.throws(
        () => sy.createLocation('plain', { interceptErrors: [404] }, 'proxyTo("plain")'),
        /proxyTo\("plain"\)\.interceptErrors needs an onError hook/,
      );
    } finally {
      void sy.close();
    }
  });
});
