// Drawing the scoreboard: match cards, the ticker, the connection pill and
// the tabs badge. Text only goes in through textContent.

const PHASE_LABEL = { pre: 'Soon', 'first-half': null, 'half-time': 'HT', 'second-half': null, 'full-time': 'FT' };

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const minuteText = (m) => (m.minute > 90 ? `90+${m.minute - 90}'` : m.minute > 45 && m.phase === 'first-half' ? `45+${m.minute - 45}'` : `${m.minute}'`);
const clockText = (m) => PHASE_LABEL[m.phase] ?? minuteText(m);
const isLive = (m) => m.phase === 'first-half' || m.phase === 'second-half';

function teamRow(match, team) {
  const side = team ? match.away : match.home;
  const row = el('div', 'team');
  const chip = el('span', 'chip', side.short);
  chip.style.background = side.color;
  const scorers = match.goals.filter((g) => g.team === team).map((g) => `${g.player.split(' ').pop()} ${g.minute}'`).join(', ');
  const names = el('div', 'names');
  names.append(el('span', 'name', side.name), el('span', 'scorers', scorers));
  row.append(chip, names, el('span', 'goals', String(match.score[team])));
  return row;
}

export function lastText(last) {
  return last.kind === 'scheduled' ? last.text : `${last.minute}' ${last.text}`;
}

function kindClass(last) {
  return last.kind === 'card' ? `kind card ${last.color}` : `kind ${last.kind}`;
}

export function renderMatches(container, matches, flashSlot) {
  const cards = matches.map((m) => {
    const card = el('article', `match ${m.phase}`);
    card.dataset.slot = m.slot;
    card.dataset.match = m.id;
    card.dataset.score = `${m.score[0]}-${m.score[1]}`;
    if (flashSlot.has(m.slot)) card.classList.add('flash');
    const head = el('header', 'match-head');
    const clock = el('span', `clock${isLive(m) ? ' live' : ''}`, clockText(m));
    head.append(clock, el('span', 'cards', cardsText(m)));
    const last = el('p', 'last');
    last.append(el('span', kindClass(m.last)), el('span', 'last-text', lastText(m.last)));
    card.append(head, teamRow(m, 0), teamRow(m, 1), last);
    return card;
  });
  container.replaceChildren(...cards);
  if (!matches.length) container.append(el('p', 'empty', 'Waiting for the first match… (the feed publishes every match within a few seconds)'));
}

function cardsText(m) {
  const yellow = m.cards.filter((c) => c.color === 'yellow').length;
  const red = m.cards.length - yellow;
  return `${yellow} yellow · ${red} red · ${m.subs[0] + m.subs[1]} subs`;
}

export function renderTicker(list, items) {
  const rows = items.map((item) => {
    const li = el('li', `tick ${item.type}`);
    li.dataset.id = item.id;
    const m = item.match;
    li.append(el('span', kindClass(item.last)), el('span', 'tick-minute', `${item.last.minute}'`),
      el('span', 'tick-match', `${m.home.short} ${m.score[0]}-${m.score[1]} ${m.away.short}`),
      el('span', 'tick-text', item.last.text));
    return li;
  });
  list.replaceChildren(...rows);
  if (!items.length) list.append(el('li', 'empty', 'Goals, cards and substitutions appear here as they happen.'));
}

// The pill: what the shared connection is doing, from SharedEventSource.status.
export function renderConnection(pill, status, retryAt, now) {
  let text;
  switch (status.state) {
    case 'open': text = 'Live'; break;
    case 'retrying': text = `Reconnecting in ${Math.max(0, Math.ceil((retryAt - now) / 1000))} s`; break;
    case 'closed': text = `Closed (${status.reason})`; break;
    default: text = 'Connecting…';
  }
  pill.dataset.state = status.state;
  pill.querySelector('.pill-text').textContent = text;
  document.body.dataset.connection = status.state;
}

export function renderSharing(badge, counters) {
  const tabs = counters?.tabs ?? 1;
  badge.dataset.tabs = tabs;
  badge.querySelector('.badge-count').textContent = String(tabs);
  badge.querySelector('.badge-text').textContent = tabs === 1 ? 'tab on 1 connection' : 'tabs share 1 connection';
}

export function renderCounters(line, counters) {
  if (!counters) return;
  line.textContent = `${counters.events} events · ${counters.reconnects} reconnects`;
}
