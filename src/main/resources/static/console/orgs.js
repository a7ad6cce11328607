// Organisations (admin key): create, list, rotate a key, delete. A key is shown once, when it is made.
import { api } from './api.js';
import { h, clear, field, busy, table, when } from './ui.js';

export async function orgsPage(ctx) {
  const shown = h('div', { id: 'org-key', 'aria-live': 'polite' });
  const listSection = h('section.card', { id: 'org-list' });
  const showKey = (org, key) => clear(shown, h('div.notice.good', {},
    h('p', {}, `The API key of ${org}, shown only now: give it to the organisation and keep it safe.`),
    h('input', { type: 'text', readonly: true, value: key, 'aria-label': `API key of ${org}`, class: 'mono', onfocus: e => e.target.select() })));
  const load = async () => {
    const list = await api('GET', '/api/orgs?pageSize=200');
    clear(listSection, table(['Name', 'ID', 'Created', ''], list.items.map(o => {
      const rotate = h('button', { type: 'button', onclick: () => busy(rotate, listSection, async () => {
        if (!confirm(`Rotate the key of ${o.name}? The old key stops working at once.`)) return;
        showKey(o.name, (await api('POST', `/api/orgs/${encodeURIComponent(o.id)}/rotate-key`)).apiKey);
      }) }, 'Rotate key');
      const remove = h('button.danger', { type: 'button', onclick: () => busy(remove, listSection, async () => {
        if (!confirm(`Delete the organisation ${o.name}?`)) return;
        await api('DELETE', `/api/orgs/${encodeURIComponent(o.id)}`);
        await load();
      }) }, 'Delete');
      return [o.name, h('code', {}, o.id), when(o.createdAt), h('span', {}, rotate, ' ', remove)];
    }), 'No organisations yet.'));
  };
  const name = field('name', 'Name');
  const create = h('button.primary', { type: 'submit' }, 'Create organisation');
  const form = h('form.card', { id: 'org-form', novalidate: true, onsubmit: e => {
    e.preventDefault();
    busy(create, form, async () => {
      const org = await api('POST', '/api/orgs', { name: name.control.value.trim() });
      showKey(org.name, org.apiKey);
      name.control.value = '';
      await load();
    });
  } }, name, h('div.actions', {}, create));
  clear(ctx.main, h('h1', {}, 'Organisations'), shown, listSection, h('h2', {}, 'New organisation'), form,
    h('p.hint', {}, 'Sign in with an organisation\'s key to manage its integrations, experts and triggers.'));
  await load();
}
