// The instances of one workflow: filters, counts per status, cursor paging, multi-select actions.
import { call, get, wf, inst } from './api.js';
import { h, mount, badge, time, toast, STATUSES, ID_PATTERN } from './dom.js';
import { diagram, loadGraph } from './diagram.js';

const ACTIONS = [['pause', 'Pause'], ['resume', 'Resume'], ['terminate', 'Terminate'], ['restart', 'Restart']];

export async function instancesView(main, name, query) {
  const state = {
    status: query.get('status') || '',
    from: query.get('from') || '',
    to: query.get('to') || '',
    perPage: Number(query.get('per_page')) || 25,
    cursors: [null], // cursor of each page visited, for "previous"
    page: 0,
    selected: new Set(),
  };
  const w = (await get(wf(name))).result;
  const body = h('tbody', {});
  const info = h('p', { class: 'muted', 'aria-live': 'polite' });
  const prev = h('button', { onclick: () => { state.page -= 1; load(); } }, '← Previous');
  const next = h('button', { onclick: () => { state.page += 1; load(); } }, 'Next →');
  const all = h('input', { type: 'checkbox', 'aria-label': 'Select all on this page', onchange: () => {
    for (const cb of body.querySelectorAll('input[type=checkbox]')) {
      cb.checked = all.checked;
      toggle(cb.value, cb.checked);
    }
  } });
  const selection = h('span', { class: 'muted' });
  const bar = h('div', { class: 'actions', role: 'toolbar', 'aria-label': 'Actions on the selected instances' },
    selection,
    ACTIONS.map(([a, label]) => h('button', { onclick: () => bulk(a), 'data-action': a }, label)),
    h('button', { class: 'danger', onclick: () => bulk('delete') }, 'Delete'));

  function toggle(id, on) {
    if (on) state.selected.add(id); else state.selected.delete(id);
    selection.textContent = `${state.selected.size} selected`;
    for (const b of bar.querySelectorAll('button')) b.disabled = state.selected.size === 0;
  }

  async function bulk(action) {
    const ids = [...state.selected];
    if (!ids.length) return;
    if ((action === 'terminate' || action === 'delete')
      && !confirm(`${action === 'delete' ? 'Delete' : 'Terminate'} ${ids.length} instance(s)?`)) return;
    let failed = 0;
    if (action === 'delete') {
      for (let i = 0; i < ids.length; i += 100) {
        const r = await call('POST', `${wf(name)}/instances/batch/delete`, { instances: ids.slice(i, i + 100) })
          .catch((e) => { toast(e.words, 'error'); failed += ids.length; return null; });
        if (r) failed += r.result.errors.length;
      }
    } else {
      const results = await Promise.allSettled(ids.map((id) =>
        call('PATCH', `${inst(name, id)}/status`, { status: action })));
      results.forEach((r, i) => {
        if (r.status === 'rejected') { failed += 1; toast(`${ids[i]}: ${r.reason.words}`, 'error'); }
      });
    }
    toast(`${action}: ${ids.length - failed} done${failed ? `, ${failed} failed` : ''}`, failed ? 'error' : 'info');
    state.selected.clear();
    load();
  }

  async function load() {
    const p = new URLSearchParams({ per_page: state.perPage });
    if (state.status) p.set('status', state.status);
    if (state.from) p.set('date_start', state.from);
    if (state.to) p.set('date_end', state.to);
    const cursor = state.cursors[state.page];
    if (cursor) p.set('cursor', cursor);
    let env;
    try {
      env = await get(`${wf(name)}/instances?${p}`);
    } catch (e) {
      mount(body, h('tr', {}, h('td', { colspan: 5, class: 'error', role: 'alert' }, e.words)));
      return;
    }
    state.cursors[state.page + 1] = env.result_info.cursor || null;
    prev.disabled = state.page === 0;
    next.disabled = !env.result_info.cursor;
    info.textContent = `Page ${state.page + 1}: ${env.result.length} instance(s)`;
    all.checked = false;
    toggle('', false);
    mount(body, env.result.length === 0 ? h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No instance matches.'))
      : env.result.map((i) => h('tr', {},
        h('td', {}, h('input', { type: 'checkbox', value: i.id, 'aria-label': `Select ${i.id}`,
          onchange: (ev) => toggle(i.id, ev.target.checked) })),
        h('th', { scope: 'row' }, h('a', { href: `#/workflows/${encodeURIComponent(name)}/instances/${encodeURIComponent(i.id)}` }, i.id)),
        h('td', {}, badge(i.status)),
        h('td', { class: 'hide-narrow' }, time(i.created_on)),
        h('td', { class: 'hide-narrow' }, time(i.ended_on)))));
  }

  const statusSel = h('select', { id: 'f-status', onchange: () => { state.status = statusSel.value; restart(); } },
    h('option', { value: '' }, 'any status'), STATUSES.map((s) => h('option', { value: s, selected: s === state.status }, s)));
  const from = h('input', { id: 'f-from', type: 'date', value: state.from, onchange: () => { state.from = from.value; restart(); } });
  const to = h('input', { id: 'f-to', type: 'date', value: state.to, onchange: () => { state.to = to.value; restart(); } });
  const idBox = h('input', { id: 'f-id', placeholder: 'instance id', autocomplete: 'off' });
  const idForm = h('form', { class: 'inline', onsubmit: async (ev) => {
    ev.preventDefault();
    const id = idBox.value.trim();
    if (!ID_PATTERN.test(id)) { toast('An instance id has letters, digits, - and _ only', 'error'); return; }
    try {
      await get(inst(name, id));
      location.hash = `#/workflows/${encodeURIComponent(name)}/instances/${encodeURIComponent(id)}`;
    } catch (e) { toast(e.words, 'error'); }
  } }, h('label', { for: 'f-id', class: 'sr' }, 'Open an instance by id'), idBox, h('button', { type: 'submit' }, 'Open'));

  function restart() {
    state.cursors = [null];
    state.page = 0;
    load();
  }

  const counts = h('div', { class: 'counts' }, h('a', { href: `#/workflows/${encodeURIComponent(name)}`, class: 'count' }, 'all'),
    STATUSES.filter((s) => w.instances && w.instances[s]).map((s) =>
      h('a', { class: 'count', href: `#/workflows/${encodeURIComponent(name)}?status=${s}` }, badge(s), ' ', String(w.instances[s]))));

  mount(main,
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/' }, 'Workflows'), ' / ', name),
    h('div', { class: 'title-row' }, h('h1', {}, name),
      h('a', { class: 'button primary', href: `#/workflows/${encodeURIComponent(name)}/trigger` }, 'Trigger')),
    counts,
    // the code diagram, read when first opened
    h('details', { class: 'card', id: 'workflow-diagram', ontoggle: async (ev) => {
      const d = ev.currentTarget;
      if (d.open && !d.dataset.loaded) {
        d.dataset.loaded = 'yes';
        d.append(diagram(await loadGraph(get, wf(name))));
      }
    } }, h('summary', {}, 'Code diagram')),
    h('div', { class: 'filters' },
      h('label', { for: 'f-status' }, 'Status'), statusSel,
      h('label', { for: 'f-from' }, 'From'), from,
      h('label', { for: 'f-to' }, 'To'), to, idForm),
    bar,
    h('div', { class: 'table-wrap' }, h('table', { class: 'list', id: 'instances' },
      h('thead', {}, h('tr', {}, h('th', {}, all), h('th', { scope: 'col' }, 'Instance'), h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col', class: 'hide-narrow' }, 'Created'), h('th', { scope: 'col', class: 'hide-narrow' }, 'Ended'))),
      body)),
    h('div', { class: 'pager' }, prev, info, next));
  await load();
  return null;
}
