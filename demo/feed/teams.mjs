// Invented clubs and players for the demo matches.
const CLUBS = [
  ['Harbor City', 'HAR', '#1f6feb'], ['Northgate', 'NOR', '#d73a49'], ['Riverside', 'RIV', '#2da44e'],
  ['Old Mill', 'OLD', '#8250df'], ['Kingsbridge', 'KIN', '#bf8700'], ['Westfield', 'WES', '#0a7ea4'],
  ['Ashford Town', 'ASH', '#cf222e'], ['Lakeview', 'LAK', '#1a7f37'], ['Stonebury', 'STO', '#6e7781'],
  ['Port Ellis', 'POR', '#e16f24'], ['Greenhill', 'GRE', '#116329'], ['Eastbrook', 'EAS', '#953800'],
];

const FIRST = ['A.', 'B.', 'C.', 'D.', 'E.', 'F.', 'G.', 'J.', 'K.', 'L.', 'M.', 'N.', 'O.', 'P.', 'R.', 'S.', 'T.'];
const LAST = ['Okafor', 'Silva', 'Novak', 'Haddad', 'Moreau', 'Jensen', 'Kowalski', 'Ferreira', 'Tanaka',
  'Mensah', 'Rossi', 'Byrne', 'Lindqvist', 'Petrov', 'Diallo', 'Costa', 'Murphy', 'Ivanova', 'Schmidt',
  'Alvarez', 'Nakamura', 'Osei', 'Larsen', 'Dubois', 'Kim', 'Sato', 'Reyes', 'Fischer', 'Quinn', 'Varga'];

function squad(random) {
  const names = new Set();
  while (names.size < 16) names.add(`${FIRST[Math.floor(random() * FIRST.length)]} ${LAST[Math.floor(random() * LAST.length)]}`);
  return [...names];
}

export const MAX_MATCHES = CLUBS.length / 2;

// Two different clubs, neither of them in `busy` (names playing elsewhere
// right now), each with a fresh squad.
export function pickTeams(random, busy = new Set()) {
  const free = CLUBS.filter(([name]) => !busy.has(name));
  const i = Math.floor(random() * free.length);
  const j = (i + 1 + Math.floor(random() * (free.length - 1))) % free.length;
  return [i, j].map((k) => ({ name: free[k][0], short: free[k][1], color: free[k][2], players: squad(random) }));
}
