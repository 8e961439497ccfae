import { readFileSync } from 'node:fs';
import { parseNginxConfig } from '@switchyard/core';
try { const r = parseNginxConfig(readFileSync(process.argv[2]!, 'utf8')); console.log(JSON.stringify(r.options.maps), r.warnings.join('\n')); } catch (e) { console.log(String(e)); }
