/** @module Prints the corpus table for docs/nginx-corpus.md: `node --conditions=switchyard-source --import tsx test/conformance/corpus/print-corpus-table.ts`. */
import { corpusTable } from './corpus-table.js';

process.stdout.write(`${corpusTable()}\n`);
