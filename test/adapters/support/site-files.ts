/** @module A real directory tree for the static-file scenarios (a temp dir, removed after the test) and requests whose path the client leaves as written. */
import type { TestContext } from 'node:test';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Answer } from './http.js';

/** What the files hold, so a test can tell which one it got. */
export const CONTENT = {
  css: 'body { color: #123456; }\n',
  home: '<!doctype html><title>home</title>\n',
  docsHome: '<!doctype html><title>docs home</title>\n',
  spa: '<!doctype html><title>spa shell</title>\n',
  image: 'PNG-ish bytes 0123456789',
  data: 'data file\n',
  secret: 'root:x:0:0:SECRET OUTSIDE THE SERVED DIRECTORIES\n',
} as const;

/**
 * `DIR/public` (a root), `DIR/data` (an alias target), and the secrets beside them that no request
 * may reach: `DIR/secret.txt` and `DIR/etc/passwd` (where `/i../etc/passwd` leads with
 * `location /i { alias DIR/data/; }` in nginx). `public/link-out.txt` is a symlink to the secret.
 */
export async function siteFiles(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sy-site-files-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const files: Record<string, string> = {
    'public/assets/app.css': CONTENT.css,
    'public/index.html': CONTENT.home,
    'public/spa.html': CONTENT.spa,
    'public/docs/home.htm': CONTENT.docsHome,
    'public/docs/index.html': 'docs index.html, listed second\n',
    'public/empty/.keep': '',
    'data/logo.png': CONTENT.image,
    'data/sub/x.txt': CONTENT.data,
    'secret.txt': CONTENT.secret,
    'etc/passwd': CONTENT.secret,
  };
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  await symlink(join(dir, 'secret.txt'), join(dir, 'public/link-out.txt'));
  return dir;
}

/** One request with `path` sent exactly as written (a URL object would resolve `..` and `%2e%2e` first). */
export function rawCall(port: number, path: string, options: { method?: string; headers?: OutgoingHttpHeaders } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes.toString('utf8'), bytes });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
