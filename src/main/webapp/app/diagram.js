// The code diagram of a workflow (GET …/versions/latest/graph: read from its bytecode), drawn
// as nested boxes; with an instance's model, each step is coloured by the state of its latest
// occurrence, and a step that ran several times (in a loop) shows how often.
import { h } from './dom.js';

const KIND_OF = { step_do: 'do', step_sleep: 'sleep', step_sleep_until: 'sleep',
  step_wait_for_event: 'waitForEvent' };
const ICON = { do: '▸', sleep: '○', waitForEvent: '◇' };
const WORD = { do: 'step', sleep: 'sleep', waitForEvent: 'wait for event' };

/** The graph of a workflow version, or null if the server cannot draw one. */
export async function loadGraph(get, wfPath) {
  try {
    return (await get(`${wfPath}/versions/latest/graph`)).result.graph;
  } catch (e) {
    return { error: e.words || e.message };
  }
}

function matcher(name) {
  // '*' stands for the parts of a name built at run time
  const re = name.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${re}$`);
}

/** The occurrences of the model's steps a leaf stands for: [state of the latest, how many]. */
function stateOf(node, model) {
  if (!model) return [null, 0];
  const kind = KIND_OF[node.type];
  const re = matcher(node.name);
  let latest = null;
  let n = 0;
  for (const key of model.order) {
    const s = model.steps.get(key);
    if (s.kind === kind && re.test(s.name)) {
      n++;
      latest = s;
    }
  }
  return [latest ? latest.state : null, n];
}

const STATE_WORD = { succeeded: 'done', failed: 'failed', running: 'running', retrying: 'retrying',
  sleeping: 'sleeping', slept: 'done', waiting: 'waiting', received: 'done', timedOut: 'timed out' };

function leaf(node, model) {
  const kind = KIND_OF[node.type];
  const [state, n] = stateOf(node, model);
  const detail = node.type === 'step_sleep' ? node.duration
    : node.type === 'step_wait_for_event' ? `event ${node.options.event_type}${node.options.timeout ? `, timeout ${node.options.timeout}` : ''}`
      : node.type === 'step_do' && node.config ? `retries ${node.config.retries.limit}` : null;
  return h('li', { class: `dg-step ${state ? `st-${state}` : 'st-none'}`, 'data-step': node.name,
    'data-state': state || 'not-run', title: `${WORD[kind]} ${node.name}${node.line ? ` (line ${node.line})` : ''}` },
  h('span', { class: 'kind', 'aria-hidden': 'true' }, ICON[kind]),
  h('span', { class: 'dg-name' }, node.name),
  detail ? h('span', { class: 'muted small' }, ` ${detail}`) : null,
  n > 1 ? h('span', { class: 'dg-count', title: `${n} occurrences` }, ` ×${n}`) : null,
  h('span', { class: 'sr' }, `: ${state ? STATE_WORD[state] || state : 'not run'}`));
}

function group(label, cls, children) {
  return h('li', { class: `dg-group ${cls}` }, h('div', { class: 'dg-label' }, label), children);
}

function list(nodes, model, functions, depth) {
  return h('ol', { class: 'dg-list' }, nodes.map((n) => node(n, model, functions, depth)));
}

function node(n, model, functions, depth) {
  switch (n.type) {
    case 'step_do': case 'step_sleep': case 'step_sleep_until': case 'step_wait_for_event':
      return leaf(n, model);
    case 'loop': return group('↻ loop', 'dg-loop', list(n.nodes, model, functions, depth));
    case 'parallel': return group('⇉ in parallel', 'dg-parallel', list(n.nodes, model, functions, depth));
    case 'block': return group('', 'dg-block', list(n.nodes, model, functions, depth));
    case 'if': return group('⑂ if', 'dg-if', h('div', { class: 'dg-branches' }, n.branches.map((b) =>
      h('div', { class: 'dg-branch' }, h('div', { class: 'dg-label muted small' }, b.condition),
        list(b.nodes, model, functions, depth)))));
    case 'try': return group('try', 'dg-try', [list(n.try_block.nodes, model, functions, depth),
      n.catch_block ? [h('div', { class: 'dg-label' }, `catch ${n.catch_block.catch_type ? n.catch_block.catch_type.split('.').pop() : ''}`),
        list(n.catch_block.nodes, model, functions, depth)] : null,
      n.finally_block ? [h('div', { class: 'dg-label' }, 'finally'), list(n.finally_block.nodes, model, functions, depth)] : null]);
    case 'function_call': {
      const def = functions[n.name];
      // a recursive helper is drawn once
      return group(`ƒ ${n.name}()`, 'dg-call', def && depth < 4 ? list(def.nodes, model, functions, depth + 1) : null);
    }
    default: return h('li', { class: 'muted' }, n.type);
  }
}

/** The diagram element of a graph; {@code model} (optional) colours the steps. */
export function diagram(graph, model) {
  if (!graph || graph.error) {
    return h('p', { class: 'muted', id: 'diagram' }, `No diagram: ${graph ? graph.error : 'not loaded'}`);
  }
  const wf = graph.workflow;
  return h('div', { class: 'diagram', id: 'diagram', role: 'group', 'aria-label': `Code diagram of ${wf.class_name}` },
    wf.nodes.length === 0 ? h('p', { class: 'muted' }, 'run() calls no step method directly.')
      : list(wf.nodes, model, wf.functions || {}, 0),
    model ? h('div', { class: 'legend small' }, ['succeeded', 'running', 'retrying', 'waiting', 'failed'].map((s) =>
      h('span', { class: `legend-item dg-step st-${s}` }, STATE_WORD[s])),
    h('span', { class: 'legend-item dg-step st-none' }, 'not run')) : null);
}
