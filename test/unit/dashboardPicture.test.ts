// The README's dashboard picture (docs/img/grafana-dashboard.svg, drawn by
// scripts/dashboard-picture.mjs) shows the dashboard that config-examples ships: every panel,
// by title, and real values rather than empty panels. Redraw it when the dashboard changes.
import { readFileSync } from 'node:fs';
import { expect, test } from '@jest/globals';

const dashboard = JSON.parse(readFileSync('config-examples/metrics/grafana-dashboard.json', 'utf8')) as {
  panels: Array<{ title: string }>;
};
const svg = readFileSync('docs/img/grafana-dashboard.svg', 'utf8');
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

test('every panel of the shipped dashboard is in the picture, in its order', () => {
  const at = dashboard.panels.map((p) => svg.indexOf(`>${esc(p.title)}</text>`));
  expect(at.every((i) => i > 0)).toBe(true);
  expect([...at].sort((a, b) => a - b)).toEqual(at);
  expect(svg.match(/font-weight="600">/g)).toHaveLength(dashboard.panels.length);
});

test('the picture holds drawn values, not empty panels', () => {
  expect(svg).not.toMatch(/>no data</);
  expect((svg.match(/<polyline /g) ?? []).length).toBeGreaterThanOrEqual(6);
});
