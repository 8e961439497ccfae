/**
 * @module nginx's request phases for one virtual host, for configurations with rewrite steps or
 * files: server rewrite, location lookup, location rewrite (`last` looks up again), then the
 * location's content (`return`, proxy, files with `index`/`try_files`). A generator: every file
 * test is yielded, so a request that needs none is answered synchronously.
 */
import type { FilesAnswer, Location, ProxyRoute, ReturnRoute, ResponseHeaderPlan } from '../types.js';
import type { CompiledProgram, Condition, LocationFiles, Step } from '../rewrite/program-types.js';
import { expand } from '../rewrite/template.js';
import { lookupVariable, type RequestState } from '../rewrite/request-state.js';
import { mapFilePath, servedFile } from '../static-files/file-path.js';
import { encodePath } from '../routing/normalize-path.js';
import { routeWithin } from '../routing/rewrite.js';
import type { Router } from '../routing/router.js';

/** A file test: what is at this absolute path. */
export interface FileQuery {
  readonly stat: string;
}
export type FileKind = 'file' | 'dir' | 'none';
export type Engine = Generator<FileQuery, FilesAnswer, FileKind>;

/** One virtual host as the engine sees it. */
export interface EngineSite {
  readonly router: Router;
  readonly rewrite: CompiledProgram | undefined;
  /** The server's `addHeaders`/`expires`, for the answers of its own rewrite steps. */
  readonly responseHeaders?: ResponseHeaderPlan | undefined;
}

/** nginx's bound on internal redirects and rewrite cycles ("rewrite or internal redirection cycle": 500). */
const MAX_CYCLES = 10;

type ProgramEnd = { kind: 'end' } | { kind: 'last' } | { kind: 'break' } | { kind: 'answer'; answer: ReturnRoute };
type ContentEnd = { kind: 'answer'; answer: FilesAnswer } | { kind: 'redirect'; uri: string; args: string | undefined } | { kind: 'named'; location: Location };

const answer = (status: number, location: Location | undefined): ReturnRoute => ({ return: { status }, location });

/** Resolve a request with nginx's phases. */
export function* resolveSite(site: EngineSite, state: RequestState): Engine {
  if (site.rewrite !== undefined) {
    const end = yield* runSteps(site.rewrite.steps, state);
    if (end.kind === 'answer') return site.responseHeaders === undefined ? end.answer : { ...end.answer, responseHeaders: site.responseHeaders };
  }
  let named: Location | undefined;
  for (let cycle = 0; ; cycle++) {
    if (cycle > MAX_CYCLES) return answer(500, state.location);
    let location: Location;
    if (named !== undefined) {
      location = named;
      named = undefined;
      state.captures = [];
    } else {
      if (hasDotSegment(state.uri)) return answer(400, state.location);
      const found = site.router.locate(state.uri);
      if (found === undefined) return state.changed || cycle > 0 ? answer(404, state.location) : undefined;
      location = found.location;
      if (found.redirect !== undefined) return { location, redirect: found.redirect + (state.args === '' ? '' : `?${state.args}`) };
      // A client's own request may not end on an internal location; one changed by rewrite or try_files may.
      if (location.internal === true && !state.changed) return { location, internal: true };
      state.captures = found.captures;
      setGroups(state, found.groups);
    }
    state.location = location;
    const content = location.content;
    if (content?.rewrite !== undefined) {
      const before = state.uri;
      const end = yield* runSteps(content.rewrite.steps, state);
      if (end.kind === 'answer') return end.answer;
      // A URI changed without `break` makes nginx look the location up again.
      if (end.kind === 'last' || (end.kind === 'end' && state.uri !== before)) continue;
    }
    if (content?.return !== undefined) return returnRoute(content.return, state);
    if (location.upstream !== undefined) return proxyRoute(location, state);
    if (content?.files === undefined) return answer(404, location);
    const end = yield* serveFiles(location, content.files, state, site.router);
    if (end.kind === 'answer') return end.answer;
    if (end.kind === 'named') {
      named = end.location;
      continue;
    }
    state.uri = end.uri;
    if (end.args !== undefined) state.args = end.args;
    state.changed = true;
  }
}

/**
 * A `.` or `..` segment in a URI a rewrite made (a client's own path is normalised before). nginx
 * would look it up as it is; switchyard refuses it (400) so no rewrite can climb out of a root.
 * `//` stays: nginx keeps it too (Jenkins' `rewrite (.*) /$1 last` proxies `//userContent/...`).
 */
function hasDotSegment(uri: string): boolean {
  return /(?:^|\/)\.\.?(?:\/|$)/.test(uri);
}

/** Named captures (`(?<name>...)`) are variables from then on, as in nginx (a later match does not clear them). */
function setGroups(state: RequestState, groups: Readonly<Record<string, string | undefined>> | undefined): void {
  if (groups === undefined) return;
  for (const [name, value] of Object.entries(groups)) (state.vars ??= new Map()).set(name, value ?? '');
}

function lookup(state: RequestState): (name: string) => string | undefined {
  return (name) => lookupVariable(state, name);
}

function proxyRoute(location: Location, state: RequestState): ProxyRoute | undefined {
  const search = state.args === '' ? '' : `?${state.args}`;
  if (!state.changed) return routeWithin(location, state.rawPath, state.uri, search);
  // nginx sends the changed URI whole (a proxy_pass URI part is not applied to it), encoded again.
  return { location, upstream: location.upstream as string, path: encodePath(state.uri) + search };
}

function returnRoute(step: Extract<Step, { kind: 'return' }>, state: RequestState): ReturnRoute {
  const get = lookup(state);
  const out: { status: number; location?: string; body?: string } = { status: step.status };
  if (step.url !== undefined) out.location = expand(step.url, get);
  if (step.body !== undefined) out.body = expand(step.body, get);
  return { return: out, location: state.location };
}

/** ngx_http_rewrite_module's steps of one level. */
function* runSteps(steps: readonly Step[], state: RequestState): Generator<FileQuery, ProgramEnd, FileKind> {
  for (const step of steps) {
    switch (step.kind) {
      case 'rewrite': {
        const m = step.regex.exec(state.uri);
        if (m === null) break;
        state.captures = [...m];
        setGroups(state, m.groups);
        const value = expand(step.to, lookup(state));
        const q = value.indexOf('?');
        if (step.absolute || step.flag === 'redirect' || step.flag === 'permanent') {
          // A redirect keeps the arguments unless the replacement ends with `?` (nginx).
          let target = value;
          if (value.endsWith('?')) target = value.slice(0, -1);
          else if (state.args !== '') target += (q === -1 ? '?' : '&') + state.args;
          return { kind: 'answer', answer: { return: { status: step.flag === 'permanent' ? 301 : 302, location: target }, location: state.location } };
        }
        if (q === -1) state.uri = value;
        else {
          state.uri = value.slice(0, q);
          const given = value.slice(q + 1);
          // `?` at the end drops the old arguments; otherwise they follow the new ones.
          state.args = value.endsWith('?') ? given.slice(0, -1) : state.args === '' ? given : given === '' ? state.args : `${given}&${state.args}`;
        }
        state.changed = true;
        if (step.flag === 'last') return { kind: 'last' };
        if (step.flag === 'break') return { kind: 'break' };
        break;
      }
      case 'return':
        return { kind: 'answer', answer: returnRoute(step, state) };
      case 'set':
        (state.vars ??= new Map()).set(step.name, expand(step.value, lookup(state)));
        break;
      case 'break':
        return { kind: 'break' };
      case 'if': {
        const holds = yield* test(step.condition, state);
        if (!holds) break;
        const end = yield* runSteps(step.then, state);
        if (end.kind !== 'end') return end;
        break;
      }
    }
  }
  return { kind: 'end' };
}

function* test(condition: Condition, state: RequestState): Generator<FileQuery, boolean, FileKind> {
  switch (condition.kind) {
    case 'truthy': {
      const v = expand(condition.value, lookup(state));
      return v !== '' && v !== '0';
    }
    case 'equals':
      return (expand(condition.value, lookup(state)) === expand(condition.text, lookup(state))) !== condition.negate;
    case 'regex': {
      const m = condition.regex.exec(expand(condition.value, lookup(state)));
      if (m !== null) {
        state.captures = [...m];
        setGroups(state, m.groups);
      }
      return (m !== null) !== condition.negate;
    }
    case 'file': {
      const path = expand(condition.path, lookup(state));
      const kind: FileKind = path.startsWith('/') && !path.includes('\0') ? yield { stat: path } : 'none';
      const holds = condition.test === 'f' ? kind === 'file' : condition.test === 'd' ? kind === 'dir' : kind !== 'none';
      return holds !== condition.negate;
    }
  }
}

/** try_files, then nginx's index and static modules for the (possibly changed) URI. */
function* serveFiles(location: Location, files: LocationFiles, state: RequestState, router: Router): Generator<FileQuery, ContentEnd, FileKind> {
  const get = lookup(state);
  if (files.tryFiles !== undefined) {
    for (const t of files.tryFiles) {
      const name = expand(t.name, get);
      // A file is never named with a final `/` (nginx's open() fails on `file.css/`).
      if (!t.dir && name.endsWith('/')) continue;
      const mapped = mapFilePath(location, files, name, get);
      if (mapped === undefined) continue;
      const kind = yield { stat: mapped.full };
      if (kind !== (t.dir ? 'dir' : 'file')) continue;
      if (!t.dir) return fileAnswer(location, state, servedFile(mapped));
      // The URI is the entry without its slash: `/docs` is then redirected to `/docs/` and
      // `/docs/` (`$uri/` gives `/docs/`) goes to the index files, as in nginx.
      state.uri = name;
      return yield* staticFiles(location, files, state);
    }
    const fallback = files.fallback;
    if (fallback === undefined) return { kind: 'answer', answer: answer(404, location) };
    switch (fallback.kind) {
      case 'status':
        return { kind: 'answer', answer: answer(fallback.status, location) };
      case 'named': {
        const target = router.named(fallback.name);
        return target === undefined ? { kind: 'answer', answer: answer(500, location) } : { kind: 'named', location: target };
      }
      case 'uri': {
        const value = expand(fallback.uri, get);
        const q = value.indexOf('?');
        return q === -1 ? { kind: 'redirect', uri: value, args: undefined } : { kind: 'redirect', uri: value.slice(0, q), args: value.slice(q + 1) };
      }
    }
  }
  return yield* staticFiles(location, files, state);
}

function* staticFiles(location: Location, files: LocationFiles, state: RequestState): Generator<FileQuery, ContentEnd, FileKind> {
  // ngx_http_static_handler refuses methods other than GET, HEAD and POST before it looks at the
  // disk (a missing file, a directory, an index: all 405); POST is refused once a file is found.
  if (state.method !== 'GET' && state.method !== 'HEAD' && state.method !== 'POST') return { kind: 'answer', answer: answer(405, location) };
  const get = lookup(state);
  const uri = state.uri;
  if (uri.endsWith('/')) {
    // ngx_http_index_module: the first index file that exists is an internal redirect (a new lookup).
    for (const name of files.index) {
      const mapped = mapFilePath(location, files, uri + name, get);
      if (mapped === undefined) continue;
      if ((yield { stat: mapped.full }) === 'file') return { kind: 'redirect', uri: uri + name, args: undefined };
    }
    const dir = mapFilePath(location, files, uri, get);
    const kind = dir === undefined ? 'none' : yield { stat: dir.full };
    // A directory without an index file is forbidden (autoindex off).
    return { kind: 'answer', answer: answer(kind === 'dir' ? 403 : 404, location) };
  }
  const mapped = mapFilePath(location, files, uri, get);
  if (mapped === undefined) return { kind: 'answer', answer: answer(404, location) };
  const kind = yield { stat: mapped.full };
  if (kind === 'dir') {
    // ngx_http_static_module: a directory asked without its slash is redirected to it.
    return { kind: 'answer', answer: { location, redirect: encodePath(`${uri}/`) + (state.args === '' ? '' : `?${state.args}`) } };
  }
  if (kind === 'none') return { kind: 'answer', answer: answer(404, location) };
  return fileAnswer(location, state, servedFile(mapped));
}

function fileAnswer(location: Location, state: RequestState, file: { root: string; path: string }): ContentEnd {
  // The static module serves GET and HEAD; other methods on a file get 405.
  if (state.method !== 'GET' && state.method !== 'HEAD') return { kind: 'answer', answer: answer(405, location) };
  return { kind: 'answer', answer: { location, file } };
}
