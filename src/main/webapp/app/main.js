// The dashboard: a hash router over a few views, all reading the same REST API as wrangler.
import { session, get, ApiError } from './api.js';
import { h, mount, toast } from './dom.js';
import { workflowsView } from './workflows.js';
import { instancesView } from './instances.js';
import { instanceView } from './instance.js';
import { triggerView } from './trigger.js';
import { agentsView, agentView } from './agents.js';

const main = document.getElementById('main');
let cleanup = null;

function signInView(message) {
  const token = h('input', { id: 'token', type: 'password', autocomplete: 'current-password', required: true });
  const account = h('input', { id: 'account', value: session.account, required: true });
  const error = h('p', { class: 'error', role: 'alert', id: 'signin-error' }, message || '');
  const form = h('form', { class: 'card signin', onsubmit: async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    try {
      await get('/workflows', { token: token.value.trim(), account: account.value.trim() });
      session.signIn(token.value.trim(), account.value.trim());
      route();
    } catch (e) {
      error.textContent = e instanceof ApiError && e.status === 401
        ? 'This token is not accepted by the server.' : (e.words || e.message);
    }
  } },
  h('h1', {}, 'Sign in'),
  h('p', { class: 'muted' }, 'Use an API token of this server (the one wrangler uses). It is kept in this tab only.'),
  h('label', { for: 'token' }, 'API token'), token,
  h('label', { for: 'account' }, 'Account id'), account,
  error,
  h('button', { type: 'submit', class: 'primary' }, 'Sign in'));
  mount(main, form);
  token.focus();
}

function nav(active) {
  mount(document.getElementById('nav'),
    session.token ? h('a', { href: '#/', 'aria-current': active === 'workflows' ? 'page' : null }, 'Workflows') : null,
    session.token ? h('a', { href: '#/agents', 'aria-current': active === 'agents' ? 'page' : null }, 'Agents') : null,
    h('button', { class: 'ghost', id: 'theme', title: 'Light or dark', onclick: toggleTheme,
      'aria-label': 'Switch between light and dark' }, '◐'));
  document.getElementById('signout').hidden = !session.token;
}

function toggleTheme() {
  const cur = document.documentElement.dataset.theme
    || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  const next = cur === 'dark' ? 'light' : 'dark';
  document.documentElement.dataset.theme = next;
  localStorage.setItem('steadfast.theme', next);
}

async function route() {
  if (cleanup) { cleanup(); cleanup = null; }
  nav();
  if (!session.token) {
    signInView();
    return;
  }
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [section, name, sub, id] = parts;
  try {
    if (!section || section === 'workflows' && !name) {
      nav('workflows');
      cleanup = await workflowsView(main);
    } else if (section === 'workflows' && sub === 'instances' && id) {
      cleanup = await instanceView(main, name, id);
    } else if (section === 'workflows' && sub === 'trigger') {
      cleanup = await triggerView(main, name);
    } else if (section === 'agents' && name && sub) {
      nav('agents');
      cleanup = await agentView(main, name, sub);
    } else if (section === 'agents') {
      nav('agents');
      cleanup = await agentsView(main);
    } else if (section === 'workflows') {
      cleanup = await instancesView(main, name, new URLSearchParams(location.hash.split('?')[1] || ''));
    } else {
      mount(main, h('p', {}, 'Nothing here. ', h('a', { href: '#/' }, 'Back to the workflows')));
    }
    main.focus({ preventScroll: true });
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      signInView('The server no longer accepts this token: sign in again.');
    } else {
      mount(main, h('div', { class: 'card' }, h('p', { class: 'error', role: 'alert' }, e.words || e.message),
        h('a', { href: '#/' }, 'Back to the workflows')));
    }
  }
}

document.getElementById('signout').addEventListener('click', () => {
  session.signOut();
  toast('Signed out');
  location.hash = '#/';
  route();
});
const theme = localStorage.getItem('steadfast.theme');
if (theme) document.documentElement.dataset.theme = theme;
addEventListener('hashchange', route);
route();
