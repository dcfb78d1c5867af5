#!/usr/bin/env node
// The live demo's feed: simulated football matches published to ssemux-server
// (POST /publish, topic "scores"). Kick-offs, goals, cards, substitutions,
// half time, full time, and a new match in a slot after each final whistle.
// Every event carries its match's whole state; every few seconds each match
// is published again as a "snapshot", so a page opened at any time is
// complete within seconds (docs/demo.md).
//
// usage: node demo/feed.mjs [--url http://127.0.0.1:8080] [--topic scores]
//          [--matches 4] [--minute-ms 1000] [--snapshot-ms 5000] [--seed N] [--quiet]
// Every flag has a variable: SSEMUX_DEMO_URL, SSEMUX_DEMO_TOPIC, SSEMUX_DEMO_MATCHES,
// SSEMUX_DEMO_MINUTE_MS, SSEMUX_DEMO_SNAPSHOT_MS, SSEMUX_DEMO_SEED. SIGTERM/SIGINT stop it.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Match, seededRandom } from './feed/match.mjs';
import { Publisher } from './feed/publisher.mjs';
import { MAX_MATCHES } from './feed/teams.mjs';

const OPTIONS = {
  url: ['SSEMUX_DEMO_URL', 'http://127.0.0.1:8080'],
  topic: ['SSEMUX_DEMO_TOPIC', 'scores'],
  matches: ['SSEMUX_DEMO_MATCHES', '4'],
  'minute-ms': ['SSEMUX_DEMO_MINUTE_MS', '1000'],
  'snapshot-ms': ['SSEMUX_DEMO_SNAPSHOT_MS', '5000'],
  seed: ['SSEMUX_DEMO_SEED', ''],
};

function parseArgs(argv) {
  const opts = { quiet: false };
  for (const [name, [env, fallback]] of Object.entries(OPTIONS)) opts[name] = process.env[env] || fallback;
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (name === 'quiet') opts.quiet = true;
    else if (name in OPTIONS && argv[i + 1] !== undefined) opts[name] = argv[++i];
    else throw new Error(`unknown or incomplete option ${argv[i]} (see the top of demo/feed.mjs)`);
  }
  const num = (name, min, max) => {
    const n = Number(opts[name]);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name}: expected a whole number from ${min} to ${max}, got ${opts[name]}`);
    return n;
  };
  return {
    origin: opts.url,
    topic: opts.topic,
    matches: num('matches', 1, MAX_MATCHES),
    minuteMs: num('minute-ms', 20, 60000),
    snapshotMs: num('snapshot-ms', 100, 600000),
    seed: opts.seed === '' ? Date.now() % 2 ** 31 : num('seed', 0, 2 ** 31),
    quiet: opts.quiet,
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runFeed(config, { signal } = {}) {
  const log = (text) => process.stderr.write(`feed: ${text}\n`);
  const say = config.quiet ? () => {} : (text) => process.stdout.write(`${text}\n`);
  const random = seededRandom(config.seed);
  const publisher = new Publisher({ origin: config.origin, topic: config.topic, log });
  signal?.addEventListener('abort', () => publisher.stop());

  const slots = [];
  const busy = (except) => new Set(slots.filter((m, i) => m && i !== except).flatMap((m) => [m.state.home.name, m.state.away.name]));
  const newMatch = (slot) => new Match({ slot, startedAt: Date.now(), random, busy: busy(slot) });
  // Kick-offs are staggered so the matches are at different minutes.
  let nextTick = Date.now();
  let nextSnapshot = Date.now() + config.snapshotMs;
  log(`publishing ${config.matches} matches to ${publisher.url} (topic ${config.topic}, 1 match minute = ${config.minuteMs} ms, seed ${config.seed})`);

  let round = 0;
  while (!signal?.aborted) {
    const pending = [];
    if (slots.length < config.matches && round % 3 === 0) {
      const match = newMatch(slots.length);
      slots.push(match);
      pending.push(match.snapshot());
    }
    for (const [slot, match] of slots.entries()) {
      if (match.finished) {
        slots[slot] = newMatch(slot);
        pending.push(slots[slot].snapshot());
      } else {
        pending.push(...match.tick());
      }
    }
    if (Date.now() >= nextSnapshot) {
      for (const match of slots) pending.push(match.snapshot());
      nextSnapshot = Date.now() + config.snapshotMs;
    }
    for (const event of pending) {
      const id = await publisher.publish(event.type, event.state);
      if (id === null) break;
      if (['goal', 'status'].includes(event.type)) say(`${id} ${describe(event.state)}`);
    }
    round++;
    // A server outage stalls the publishing; afterwards the clock goes on
    // from now instead of rushing through the missed minutes.
    nextTick = Math.max(nextTick + config.minuteMs, Date.now());
    await sleep(nextTick - Date.now());
  }
  log(`stopped after ${publisher.published} events, last id ${publisher.lastId}`);
  return publisher;
}

function describe(s) {
  return `${String(s.minute).padStart(2)}' ${s.home.name} ${s.score[0]}-${s.score[1]} ${s.away.name}: ${s.last.text}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  let config;
  try {
    config = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`feed: ${err.message}\n`);
    process.exit(2);
  }
  const controller = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => controller.abort());
  await runFeed(config, { signal: controller.signal });
}
