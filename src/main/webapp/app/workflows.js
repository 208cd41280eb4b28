// Workflows with their instance counts per status.
import { get, wf } from './api.js';
import { h, mount, badge, time, STATUSES } from './dom.js';

export async function workflowsView(main) {
  const env = await get('/workflows?per_page=1000');
  const rows = env.result.map((w) => h('tr', {},
    h('th', { scope: 'row' }, h('a', { href: `#/workflows/${encodeURIComponent(w.name)}` }, w.name),
      h('div', { class: 'muted small' }, w.class_name)),
    h('td', {}, h('div', { class: 'counts' }, STATUSES.filter((s) => w.instances && w.instances[s]).map((s) =>
      h('a', { href: `#/workflows/${encodeURIComponent(w.name)}?status=${s}`, class: 'count' },
        badge(s), ' ', String(w.instances[s]))), total(w) === 0 ? h('span', { class: 'muted' }, 'no instances') : null)),
    h('td', { class: 'hide-narrow' }, time(w.triggered_on)),
    h('td', {}, h('a', { class: 'button', href: `#/workflows/${encodeURIComponent(w.name)}/trigger` }, 'Trigger'))));
  mount(main,
    h('h1', {}, 'Workflows'),
    env.result.length === 0 ? h('p', {}, 'No workflow is deployed on this server.') :
      h('div', { class: 'table-wrap' }, h('table', { class: 'list' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Workflow'), h('th', { scope: 'col' }, 'Instances'),
          h('th', { scope: 'col', class: 'hide-narrow' }, 'Last triggered'), h('th', { scope: 'col' }, h('span', { class: 'sr' }, 'Actions')))),
        h('tbody', {}, rows))));
  return null;
}

function total(w) {
  return Object.values(w.instances || {}).reduce((a, b) => a + b, 0);
}

export { wf };
