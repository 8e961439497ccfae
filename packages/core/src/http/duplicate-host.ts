/** @module A request with two Host headers is refused (nginx: 400 "client sent duplicate host header"); Node's parser keeps the first and drops the rest silently. */

/** The reason both adapters answer with (nginx's own error log words). */
export const DUPLICATE_HOST_REASON = 'client sent duplicate host header';

/**
 * True when `rawHeaders` (Node's `req.rawHeaders`: name, value, name, value...) holds more than one
 * Host. Two proxies that disagree on which Host counts route the request differently (cache
 * poisoning, virtual-host bypass), so nginx refuses the request and so does switchyard.
 */
export function hasDuplicateHost(rawHeaders: readonly string[]): boolean {
  let seen = false;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    // Length first: most names are not 4 characters long, so few are lower-cased.
    if (name.length !== 4 || name.toLowerCase() !== 'host') continue;
    if (seen) return true;
    seen = true;
  }
  return false;
}
