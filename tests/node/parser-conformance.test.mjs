// Runs every case of tests/cases/parser.txt through the wasm build, fed
// whole, byte by byte and split at every position. The native build runs the
// same file (tests/unit/test_parser_cases.c), so the two cannot drift apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadWasmCore, parseToJsonLines, repoRoot } from './wasm-core.mjs';

const CASES_FILE = path.join(repoRoot, 'tests', 'cases', 'parser.txt');

// "< " input lines are unescaped: \r \n \t \\ \0 and \xHH, nothing else.
// Works on the line's UTF-8 bytes, as the C reader does.
function unescapeInput(line, where) {
  const s = Buffer.from(line, 'utf8');
  const bytes = [];
  const hex = (b) => /^[0-9a-fA-F]$/.test(String.fromCharCode(b));
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== 0x5c) {
      bytes.push(s[i]);
      continue;
    }
    const e = String.fromCharCode(s[++i]);
    const simple = { r: 13, n: 10, t: 9, '\\': 92, 0: 0 }[e];
    if (simple !== undefined) {
      bytes.push(simple);
    } else if (e === 'x' && hex(s[i + 1]) && hex(s[i + 2])) {
      bytes.push(parseInt(String.fromCharCode(s[i + 1], s[i + 2]), 16));
      i += 2;
    } else {
      throw new Error(`${where}: bad escape \\${e}`);
    }
  }
  return bytes;
}

function readCases(file = CASES_FILE) {
  const cases = [];
  let current = null;
  readFileSync(file, 'utf8').split('\n').forEach((line, n) => {
    if (line.startsWith('== ')) {
      current = { name: line.slice(3), input: [], expected: [], limits: {} };
      cases.push(current);
    } else if (/^[<>!@] /.test(line)) {
      if (!current) throw new Error(`${file}:${n + 1}: a case line before the first "== name"`);
      if (line[0] === '<') current.input.push(...unescapeInput(line.slice(2), `${file}:${n + 1}`));
      else if (line[0] === '>') current.expected.push(line.slice(2));
      else if (line[0] === '!') current.expected.push(line); // a dropped event, as parseToJsonLines says it
      else {
        const m = /^@ max_(data|type|id) (\d+)$/.exec(line);
        if (!m) throw new Error(`${file}:${n + 1}: bad limit line ${line}`);
        current.limits[{ data: 'maxData', type: 'maxType', id: 'maxId' }[m[1]]] = Number(m[2]);
      }
    }
  });
  return cases.map((c) => ({ ...c, input: Uint8Array.from(c.input) }));
}

function expectSame(got, expected, name, how) {
  assert.deepEqual(got, expected,
    `case ${name} (${how}):\n  expected:\n    ${expected.join('\n    ')}\n  got:\n    ${got.join('\n    ')}`);
}

const core = await loadWasmCore();
const cases = readCases();

test('the case file has cases', () => {
  assert.ok(cases.length >= 40, `expected at least 40 cases in ${CASES_FILE}, found ${cases.length}`);
});

for (const c of cases) {
  test(`case ${c.name}`, () => {
    const n = c.input.length;
    const o = c.limits;
    expectSame(parseToJsonLines(core, c.input, [], o), c.expected, c.name, 'whole');
    const everyByte = Array.from({ length: Math.max(n - 1, 0) }, (_, i) => i + 1);
    expectSame(parseToJsonLines(core, c.input, everyByte, o), c.expected, c.name, 'byte by byte');
    for (let at = 1; at < n; at++) {
      expectSame(parseToJsonLines(core, c.input, [at], o), c.expected, c.name, `split at ${at}`);
    }
  });
}
