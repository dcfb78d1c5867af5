// The fan-out window widens with the number of tabs so that all tabs
// together get at most fanoutMessagesPerSecond messages (docs/hub.md,
// "Fan-out"): 4 ms for a few tabs, tabs x 1000 / budget beyond, capped.
import { test } from 'node:test';
import { newHub, FakeTab, settle, expectEqual } from './hub-fakes.mjs';

const URL = 'http://app.test/events?topic=scores';

async function tabsOnOneStream(n, options) {
  const { hub, clock, server } = newHub({ fanoutWindowMs: 4, ...options });
  const tabs = [];
  for (let i = 0; i < n; i++) {
    const tab = new FakeTab(hub, `t${i}`);
    tab.subscribe(1, URL);
    tabs.push(tab);
  }
  await settle();
  await clock.advance(20);
  const up = (await server.request(0)).respond();
  await settle();
  return { hub, clock, up, tabs };
}

// Sends one event per ms (IDs from `firstId`: the engine drops repeated
// IDs) and returns after which of them a batch reached tab 0.
async function steadyStream(clock, up, tab, events, firstId = 1) {
  const before = tab.batches().length;
  const arrivals = [];
  for (let i = 1; i <= events; i++) {
    up.send({ id: String(firstId + i), event: 'scores/tick', data: `n${i}` });
    await settle();
    await clock.advance(1);
    if (tab.batches().length > before + arrivals.length) arrivals.push(i);
  }
  return arrivals;
}

test('with_few_tabs_the_window_is_fanout_window_ms', async () => {
  const { hub, clock, up, tabs } = await tabsOnOneStream(2, { fanoutMessagesPerSecond: 5000 });
  const arrivals = await steadyStream(clock, up, tabs[0], 20);
  expectEqual(arrivals, [1, 4, 8, 12, 16, 20], 'events after which a batch reached the tab (4 ms window)');
  hub.close();
});

test('with_sixty_tabs_a_budget_of_5000_messages_per_second_widens_the_window_to_12_ms', async () => {
  const { hub, clock, up, tabs } = await tabsOnOneStream(60, { fanoutMessagesPerSecond: 5000 });
  const arrivals = await steadyStream(clock, up, tabs[0], 40);
  expectEqual(arrivals, [1, 12, 24, 36], 'events after which a batch reached the tab (12 ms window)');
  expectEqual(tabs[59].events(1).length, tabs[0].events(1).length, 'events of the last tab, same as the first');
  // Tabs leaving narrow it again: 10 tabs left -> 4 ms.
  for (const tab of tabs.slice(10)) tab.bye();
  await settle();
  await clock.advance(50);
  const later = await steadyStream(clock, up, tabs[0], 12, 1000);
  expectEqual(later, [1, 4, 8, 12], 'events after which a batch reached the tab once 50 tabs left (4 ms window)');
  hub.close();
});

test('the_window_never_exceeds_fanout_max_window_ms', async () => {
  const { hub, clock, up, tabs } = await tabsOnOneStream(100, { fanoutMessagesPerSecond: 1000, fanoutMaxWindowMs: 16 });
  const arrivals = await steadyStream(clock, up, tabs[0], 40);
  expectEqual(arrivals, [1, 16, 32], 'events after which a batch reached the tab (capped at 16 ms)');
  hub.close();
});
