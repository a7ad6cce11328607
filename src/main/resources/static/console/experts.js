// Digital Experts: a form per type (echo, http, openai, camel) and "Ask", which sends a test question.
import { api } from './api.js';
import { h, clear, field, busy, table } from './ui.js';

const TYPES = [['echo', 'Echo (answers with the message itself)'], ['http', 'HTTP (a JSON webhook)'],
  ['openai', 'OpenAI-compatible chat completions'], ['camel', 'Camel route (direct:…)']];

export async function expertsPage(ctx, id) {
  const list = await api('GET', '/api/experts?pageSize=200');
  const existing = id && id !== 'new' ? list.items.find(x => x.id === id) || await api('GET', `/api/experts/${encodeURIComponent(id)}`) : null;
  clear(ctx.main,
    h('h1', {}, 'Digital Experts'),
    h('section.card', {}, table(['Name', 'Type', 'Endpoint'], list.items.map(x => [
      h('a', { href: `#/experts/${encodeURIComponent(x.id)}` }, x.name), x.type, h('code', {}, x.url || x.uri || '')]),
      'No experts yet: an echo expert answers without any AI, a good first one.')),
    h('h2', {}, existing ? `Edit ${existing.name}` : 'New expert'),
    expertForm(existing),
    existing ? askPanel(existing) : null);
}

function expertForm(existing) {
  const v = existing || { type: 'echo' };
  const f = {
    name: field('name', 'Name', 'text', { value: v.name }),
    type: field('type', 'Type', 'select', { options: TYPES, value: v.type }),
    url: field('url', 'URL', 'text', { value: v.url, placeholder: 'https://…', hint: 'http: larkway POSTs the conversation as JSON here. openai: the server\'s base URL (…/v1).' }),
    model: field('model', 'Model', 'text', { value: v.model }),
    apiKey: field('apiKey', 'API key', 'password', { placeholder: v.apiKey || '', hint: existing && v.apiKey ? 'Stored; leave empty to keep it.' : 'Sent as Authorization: Bearer; optional.' }),
    uri: field('uri', 'Route URI', 'text', { value: v.uri, placeholder: 'direct:my-expert', hint: 'A route of the "experts" group under routes/.' }),
  };
  const show = () => {
    const t = f.type.control.value;
    f.url.hidden = !(t === 'http' || t === 'openai');
    f.apiKey.hidden = f.url.hidden;
    f.model.hidden = t !== 'openai';
    f.uri.hidden = t !== 'camel';
  };
  f.type.control.addEventListener('change', show);
  show();
  const save = h('button.primary', { type: 'submit' }, existing ? 'Save' : 'Create expert');
  const remove = existing ? h('button.danger', { type: 'button', onclick: () => busy(remove, form, async () => {
    if (!confirm(`Delete the expert ${existing.name}?`)) return;
    await api('DELETE', `/api/experts/${encodeURIComponent(existing.id)}`);
    location.hash = '#/experts';
  }) }, 'Delete') : null;
  const form = h('form.card', { id: 'expert-form', novalidate: true, onsubmit: e => {
    e.preventDefault();
    busy(save, form, async () => {
      const t = f.type.control.value;
      const body = { name: f.name.control.value.trim(), type: t };
      if (t === 'http' || t === 'openai') {
        body.url = f.url.control.value.trim();
        if (f.apiKey.control.value) body.apiKey = f.apiKey.control.value;
      }
      if (t === 'openai') body.model = f.model.control.value.trim();
      if (t === 'camel') body.uri = f.uri.control.value.trim();
      const saved = existing ? await api('PUT', `/api/experts/${encodeURIComponent(existing.id)}`, body) : await api('POST', '/api/experts', body);
      location.hash = `#/experts/${encodeURIComponent(saved.id)}`;
    });
  } }, Object.values(f), h('div.actions', {}, save, remove));
  return form;
}

function askPanel(expert) {
  const text = field('text', 'Question', 'textarea', { value: 'Hello! Who are you?' });
  const answer = h('div', { id: 'ask-answer', 'aria-live': 'polite' });
  const ask = h('button.primary', { type: 'submit' }, 'Ask');
  const form = h('form.card', { id: 'ask-form', novalidate: true, onsubmit: e => {
    e.preventDefault();
    clear(answer);
    busy(ask, form, async () => {
      const r = await api('POST', `/api/experts/${encodeURIComponent(expert.id)}/ask`, { text: text.control.value });
      clear(answer, h('h3', {}, 'Answer'), h('p.answer', {}, r.text));
    });
  } }, h('h2', {}, `Ask ${expert.name}`), h('p.hint', {}, 'Sends one question to the expert, outside any conversation.'),
  text, h('div.actions', {}, ask), answer);
  return form;
}
