/** @module The nginx import of log_format and access_log: the accessLog option produced, the warnings, and nginx's errors with line and column. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, NginxParseError, parseNginxConfig } from '@switchyard/core';

const UPSTREAM = 'upstream app { server 127.0.0.1:8001; }\n';

function http(body: string): ReturnType<typeof parseNginxConfig> {
  return parseNginxConfig(`http {\n${UPSTREAM}${body}\nserver { location / { proxy_pass http://app; } }\n}`);
}

test('access_log with a log_format (strings joined, escape=json kept) becomes accessLog and compiles', () => {
  const { options, warnings } = http(
    `log_format up escape=json '{"addr":"$upstream_addr",'\n  '"status":"$upstream_status"}';\naccess_log /var/log/nginx/access.log up buffer=32k;`,
  );
  assert.deepEqual(options.accessLog, { format: '{"addr":"$upstream_addr","status":"$upstream_status"}', escape: 'json' });
  assert.deepEqual(warnings, [
    `line 5: "access_log /var/log/nginx/access.log": the lines go to the app's logger (Fastify: its request log line; Express: the accessLog destination), not to this path`,
    `line 5: "access_log buffer" ignored (buffering and compression are the logger's job)`,
  ]);
  assert.equal(createSwitchyard(options).config.accessLog?.format?.escape, 'json');
});

test("$bytes_sent and $upstream_http_NAME (Discourse's log_format has both) import", () => {
  const { options } = http('log_format d \'"$http_host" $status $bytes_sent $body_bytes_sent "$upstream_http_x_discourse_username"\';\naccess_log a.log d;');
  assert.equal(options.accessLog, '"$http_host" $status $bytes_sent $body_bytes_sent "$upstream_http_x_discourse_username"');
  assert.ok(createSwitchyard(options).config.accessLog?.format);
});

test('access_log without a format is combined; access_log off turns it off; none written leaves it out', () => {
  assert.equal(http('access_log logs/access.log;').options.accessLog, 'combined');
  assert.equal(http('log_format main "$remote_addr $upstream_addr";\naccess_log a.log main;').options.accessLog, '$remote_addr $upstream_addr');
  assert.equal(http('access_log off;').options.accessLog, false);
  assert.equal('accessLog' in http('').options, false);
});

test("nginx's errors: unknown format, unknown variable, duplicate name, escape, log_format outside http", () => {
  const cases: Array<[string, RegExp]> = [
    ['access_log a.log nosuch;', /unknown log format "nosuch" \(line 3, column 18\)/],
    ['log_format x "$upstream_adr";', /unknown "upstream_adr" variable \(line 3, column 14\)/],
    ['log_format combined "$status";', /duplicate "log_format" name "combined" \(line 3/],
    ['log_format x escape=xml "$status";', /unknown log format escaping "xml" \(line 3/],
    ['access_log off now;', /invalid number of arguments in "access_log" directive/],
    ['access_log a.log combined if=$loggable;', /not supported: switchyard does not evaluate nginx conditions/],
  ];
  for (const [body, message] of cases) {
    assert.throws(
      () => http(body),
      (err: unknown) => err instanceof NginxParseError && message.test(err.message),
      body,
    );
  }
  assert.throws(
    () => parseNginxConfig(`${UPSTREAM}server { log_format x "$status"; location / { proxy_pass http://app; } }`),
    /"log_format" directive is not allowed here/,
  );
});

test("a site file (no http block, as Discourse's nginx.sample.conf) takes log_format at its top level; a whole nginx.conf does not", () => {
  const site = `${UPSTREAM}log_format d '$remote_addr $status';\nserver { access_log /var/log/nginx/access.log d; location / { proxy_pass http://app; } }`;
  assert.equal(parseNginxConfig(site).options.accessLog, '$remote_addr $status');
  assert.throws(
    () => parseNginxConfig(`log_format d '$status';\nevents {}\nhttp { ${UPSTREAM}server { location / { proxy_pass http://app; } } }`),
    /"log_format" directive is not allowed here \(line 1/,
  );
});
