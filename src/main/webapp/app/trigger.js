// Trigger an instance: params typed as JSON, checked before anything is sent.
import { call, wf } from './api.js';
import { h, mount, parseJson, ID_PATTERN } from './dom.js';

export async function triggerView(main, name) {
  const id = h('input', { id: 't-id', autocomplete: 'off', placeholder: 'a random UUID if empty' });
  const params = h('textarea', { id: 't-params', rows: 8, spellcheck: false }, '{}');
  const error = h('p', { class: 'error', role: 'alert', id: 't-error' });
  const check = () => {
    const p = parseJson(params.value, 'Params');
    const idOk = id.value.trim() === '' || ID_PATTERN.test(id.value.trim()) && id.value.trim().length <= 100;
    error.textContent = !p.ok ? p.error : idOk ? '' : 'The id may hold letters, digits, - and _ (at most 100, not starting with -).';
    params.setAttribute('aria-invalid', String(!p.ok));
    id.setAttribute('aria-invalid', String(!idOk));
    return p.ok && idOk ? p : null;
  };
  params.addEventListener('input', check);
  id.addEventListener('input', check);
  const form = h('form', { class: 'card', onsubmit: async (ev) => {
    ev.preventDefault();
    const p = check();
    if (!p) return;
    const body = { params: p.value };
    if (id.value.trim()) body.instance_id = id.value.trim();
    try {
      const r = await call('POST', `${wf(name)}/instances`, body);
      location.hash = `#/workflows/${encodeURIComponent(name)}/instances/${encodeURIComponent(r.result.id)}`;
    } catch (e) {
      error.textContent = e.words;
    }
  } },
  h('label', { for: 't-id' }, 'Instance id (optional)'), id,
  h('label', { for: 't-params' }, 'Params (JSON)'), params,
  error,
  h('button', { type: 'submit', class: 'primary' }, 'Trigger'));
  mount(main,
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/' }, 'Workflows'), ' / ',
      h('a', { href: `#/workflows/${encodeURIComponent(name)}` }, name), ' / trigger'),
    h('h1', {}, `Trigger ${name}`), form);
  params.focus();
  return null;
}
