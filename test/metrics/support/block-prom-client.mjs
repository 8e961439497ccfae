// Test preload: makes prom-client unloadable in this process (as on an install without it), whichever way core looks for it.
import { register } from 'node:module';

const hook = `
export async function resolve(specifier, context, next) {
  if (specifier === 'prom-client' || specifier.includes('/node_modules/prom-client/')) {
    const err = new Error("Cannot find package 'prom-client'");
    err.code = 'ERR_MODULE_NOT_FOUND';
    throw err;
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
