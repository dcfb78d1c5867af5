// Parser benchmark: the wasm core in Node and eventsource-parser on the same
// corpora, next to the native C figures (native_parser_bench.c).
// Normally run through tests/bench/run-parser-bench.sh, which does:
//
//   node parser-bench.mjs write-corpora DIR     corpora + DIR/corpora.tsv
//   native_parser_bench DIR > DIR/native.tsv
//   node parser-bench.mjs run DIR [DIR/native.tsv]
//
// Every implementation starts from bytes, as they come off a socket, and
// ends with JS strings (native: C buffers) handed to an event callback.
// No timing is asserted anywhere; a wrong event count is an error.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createParser as createReferenceParser } from 'eventsource-parser';
import { loadWasmCore } from '../node/wasm-core.mjs';

const MIN_RUNS = 5;
const MIN_MS = 1000;
const enc = new TextEncoder();

// ---- corpora ------------------------------------------------------------------

// name, file, chunk bytes, and a generator returning [text, events].
const CORPORA = [
  {
    name: 'small',
    what: 'JSON score events, ~100 B each',
    file: 'small.sse',
    chunk: 16 * 1024,
    make: () => scoreEvents(200000),
  },
  {
    name: 'large',
    what: '64 KiB events of 1024 data lines',
    file: 'large.sse',
    chunk: 64 * 1024,
    make: () => largeEvents(512),
  },
  {
    name: 'bytewise',
    what: 'score events fed one byte per call',
    file: 'bytewise.sse',
    chunk: 1,
    make: () => scoreEvents(20000),
  },
  {
    name: 'unicode',
    what: 'JSON chat events, ~150 B each: accented text, CJK and emoji (chunks cut inside characters)',
    file: 'unicode.sse',
    chunk: 16 * 1024,
    make: () => unicodeEvents(150000),
  },
];

// Messages in several scripts: 2-byte (Latin accents, Cyrillic), 3-byte
// (CJK, kana, Hangul) and 4-byte (emoji, some with joiners) UTF-8.
const UNICODE_TEXTS = [
  'Gol de Muñoz! ¡Qué jugada, señor árbitro!',
  'Très belle passe décisive de Benoît, à la 90e',
  'Zwei Tore für Müller, Größe zählt 💪',
  'Гол! Счёт 2:1 в пользу хозяев',
  '进球了！比分现在是二比一 ⚽',
  'ゴール！素晴らしいシュートでした 🎉',
  '골! 정말 멋진 경기입니다 🔥🔥',
  'VAR check… no goal 😤 👨‍👩‍👧 watching',
];
const UNICODE_NAMES = ['José', 'Zoë', '李雷', 'さくら', 'Łukasz', 'Ørjan'];

function unicodeEvents(count) {
  const parts = [];
  for (let i = 0; i < count; i++) {
    const msg = { room: `match-${1000 + (i % 48)}`, from: UNICODE_NAMES[i % UNICODE_NAMES.length], text: UNICODE_TEXTS[i % UNICODE_TEXTS.length] };
    parts.push(`event: chat\nid: ${i}\ndata: ${JSON.stringify(msg)}\n\n`);
  }
  return [parts.join(''), count];
}

function scoreEvents(count) {
  const parts = [];
  for (let i = 0; i < count; i++) {
    const score = { match: 1000 + (i % 48), home: i % 7, away: i % 5, minute: i % 90, scorer: `Player ${i % 23}` };
    parts.push(`event: score\nid: ${i}\ndata: ${JSON.stringify(score)}\n\n`);
  }
  return [parts.join(''), count];
}

function largeEvents(count) {
  const parts = [];
  for (let i = 0; i < count; i++) {
    const lines = [];
    for (let l = 0; l < 1024; l++) {
      lines.push(`data: {"row":${String(l).padStart(4, '0')},"event":${String(i).padStart(5, '0')},"v":"abcdefghijklmn"}\n`);
    }
    parts.push(`event: snapshot\nid: s${i}\n${lines.join('')}\n`);
  }
  return [parts.join(''), count];
}

function writeCorpora(dir) {
  mkdirSync(dir, { recursive: true });
  const manifest = [];
  for (const c of CORPORA) {
    const [text, events] = c.make();
    writeFileSync(path.join(dir, c.file), text);
    manifest.push(`${c.name}\t${c.file}\t${c.chunk}\t${events}\n`);
  }
  writeFileSync(path.join(dir, 'corpora.tsv'), manifest.join(''));
}

function readCorpora(dir) {
  return readFileSync(path.join(dir, 'corpora.tsv'), 'utf8').trim().split('\n').map((line) => {
    const [name, file, chunk, events] = line.split('\t');
    const spec = CORPORA.find((c) => c.name === name);
    return { name, what: spec ? spec.what : '', bytes: readFileSync(path.join(dir, file)),
      chunk: Number(chunk), events: Number(events) };
  });
}

// ---- measuring ----------------------------------------------------------------

// Times every runner of one corpus round-robin (so a noisy neighbour slows
// them alike) until each has MIN_RUNS runs and MIN_MS in total; returns the
// median seconds per runner. A runner returns the number of events it saw.
function measure(corpus, runners) {
  for (const [, once] of runners) once(); // warm-up: JIT and wasm tier-up
  const times = runners.map(() => []);
  const totals = runners.map(() => 0);
  while (times[0].length < MIN_RUNS || totals.some((t) => t < MIN_MS)) {
    runners.forEach(([label, once], i) => {
      const start = performance.now();
      const events = once();
      const ms = performance.now() - start;
      if (events !== corpus.events) {
        throw new Error(`${label} on ${corpus.name}: expected ${corpus.events} events, got ${events}`);
      }
      times[i].push(ms);
      totals[i] += ms;
    });
  }
  return times.map((t) => t.sort((a, b) => a - b)[t.length >> 1] / 1000);
}

function chunksOf(bytes, size) {
  const chunks = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}

function wasmRun(core, corpus) {
  const chunks = corpus.chunk > 1 ? chunksOf(corpus.bytes, corpus.chunk) : null;
  return () => {
    let events = 0;
    let chars = 0;
    const parser = core.createParser({
      onEvent: (type, data, id) => {
        events++;
        chars += data.length + type.length + id.length;
      },
    });
    if (chunks) {
      for (const chunk of chunks) parser.feed(chunk);
    } else {
      const bytes = corpus.bytes;
      for (let i = 0; i < bytes.length; i++) parser.feed(bytes.subarray(i, i + 1));
    }
    parser.free();
    return chars >= 0 ? events : -1;
  };
}

// eventsource-parser takes text: decode each chunk as a stream would
// (response.body.pipeThrough(new TextDecoderStream()) does the same).
function referenceRun(corpus, preDecoded) {
  const chunks = corpus.chunk > 1 ? chunksOf(corpus.bytes, corpus.chunk) : null;
  const strings = preDecoded && chunks ? decodeAll(chunks) : null;
  return () => {
    let events = 0;
    let chars = 0;
    const parser = createReferenceParser({
      onEvent: ({ event, data, id }) => {
        events++;
        chars += data.length + (event ?? 'message').length + (id ?? '').length;
      },
    });
    if (strings) {
      for (const s of strings) parser.feed(s);
    } else {
      const decoder = new TextDecoder();
      if (chunks) {
        for (const chunk of chunks) parser.feed(decoder.decode(chunk, { stream: true }));
      } else {
        const bytes = corpus.bytes;
        for (let i = 0; i < bytes.length; i++) parser.feed(decoder.decode(bytes.subarray(i, i + 1), { stream: true }));
      }
      parser.feed(decoder.decode());
    }
    return chars >= 0 ? events : -1;
  };
}

function decodeAll(chunks) {
  const decoder = new TextDecoder();
  return chunks.map((c) => decoder.decode(c, { stream: true }));
}

function readNative(file) {
  const results = new Map();
  if (!file || !existsSync(file)) return results;
  for (const line of readFileSync(file, 'utf8').trim().split('\n')) {
    if (!line) continue;
    const [name, events, bytes, seconds] = line.split('\t');
    results.set(name, { events: Number(events), bytes: Number(bytes), seconds: Number(seconds) });
  }
  return results;
}

// A second wasm build to compare against in the same run (its own
// ssemux-core.js and ssemux.wasm), e.g. the web dir of the last commit.
async function loadBaselineCore(dir) {
  const { loadCore } = await import(pathToFileURL(path.join(dir, 'ssemux-core.js')).href);
  return loadCore(pathToFileURL(path.join(dir, 'ssemux.wasm')));
}

// ---- report -------------------------------------------------------------------

function fmt(n, digits = 0) {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

async function run(dir, nativeFile) {
  const corpora = readCorpora(dir);
  const native = readNative(nativeFile);
  const core = await loadWasmCore();
  const baselineDir = process.env.SSEMUX_BENCH_BASELINE_WEB_DIR;
  const baseline = baselineDir ? await loadBaselineCore(path.resolve(baselineDir)) : null;
  const summary = {};
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`node ${process.versions.node}, ${os.cpus().length} CPUs (${os.cpus()[0].model}), load ${load}`);
  console.log(`median of >= ${MIN_RUNS} runs and >= ${MIN_MS / 1000} s each, implementations interleaved; MB = 10^6 bytes`);
  for (const corpus of corpora) {
    const mb = corpus.bytes.length / 1e6;
    const chunkText = corpus.chunk === 1 ? '1 B' : `${corpus.chunk / 1024} KiB`;
    console.log(`\n${corpus.name}: ${corpus.what}; ${fmt(corpus.events)} events, ${fmt(mb, 1)} MB, ${chunkText} chunks`);
    const n = native.get(corpus.name);
    const runners = [
      ['wasm in Node (strings to JS callback)', wasmRun(core, corpus)],
      ['eventsource-parser (TextDecoder + feed)', referenceRun(corpus, false)],
    ];
    if (corpus.chunk > 1) runners.push(['eventsource-parser (pre-decoded text)', referenceRun(corpus, true)]);
    if (baseline) runners.push(['wasm, baseline build', wasmRun(baseline, corpus)]);
    const seconds = measure(corpus, runners);
    const [wasm, ref] = seconds;
    const refStrings = corpus.chunk > 1 ? seconds[2] : null;
    const base = baseline ? seconds[seconds.length - 1] : null;
    const results = runners.map(([label], i) => [label, seconds[i]]);
    if (n) results.unshift(['native C (sse_parser_feed)', n.seconds]);
    console.log(`  ${'implementation'.padEnd(42)}${'events/s'.padStart(14)}${'MB/s'.padStart(11)}`);
    for (const [label, secs] of results) {
      console.log(`  ${label.padEnd(42)}${fmt(corpus.events / secs).padStart(14)}${fmt(mb / secs, 1).padStart(11)}`);
    }
    console.log(`  ratio wasm / eventsource-parser (TextDecoder + feed): ${fmt(ref / wasm, 2)}x`);
    if (refStrings !== null) {
      console.log(`  ratio wasm / eventsource-parser (pre-decoded text):   ${fmt(refStrings / wasm, 2)}x`);
    }
    if (n) console.log(`  ratio native / wasm:                                  ${fmt(wasm / n.seconds, 2)}x`);
    if (base !== null) {
      console.log(`  ratio wasm baseline / eventsource-parser (TextDecoder + feed): ${fmt(ref / base, 2)}x`);
    }
    summary[corpus.name] = { mb, native: n ? n.seconds : null, wasm, ref, events: corpus.events };
  }
  console.log('\ngoals (reported, not asserted):');
  const large = summary.large;
  if (large && large.native) {
    console.log(`  native on large data >= 1 GB/s: ${fmt(large.mb / large.native / 1000, 2)} GB/s`);
  } else {
    console.log('  native on large data >= 1 GB/s: no native figures (build native_parser_bench)');
  }
  const small = summary.small;
  if (small) {
    console.log(`  wasm >= 2x eventsource-parser events/s on small events: ${fmt(small.ref / small.wasm, 2)}x`);
  }
}

const [command, dir, nativeFile] = process.argv.slice(2);
if (command === 'write-corpora' && dir) {
  writeCorpora(dir);
} else if (command === 'run' && dir) {
  await run(dir, nativeFile);
} else {
  console.error('usage: node parser-bench.mjs write-corpora DIR | run DIR [NATIVE_TSV]');
  process.exit(2);
}
