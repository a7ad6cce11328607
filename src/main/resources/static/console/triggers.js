// Lark triggers: every setting of PRODUCT.md §3 and §10, user and chat pickers fed by the selectors, publish/unpublish.
import { api, query } from './api.js';
import { h, clear, field, busy, table, badge } from './ui.js';

export async function triggersPage(ctx, id) {
  const [triggers, integrations, experts] = await Promise.all([api('GET', '/api/triggers?pageSize=200'),
    api('GET', '/api/integrations?pageSize=200'), api('GET', '/api/experts?pageSize=200')]);
  const name = (items, key) => (items.find(x => x.id === key) || {}).name || key;
  const existing = id && id !== 'new' ? triggers.items.find(t => t.id === id) || await api('GET', `/api/triggers/${encodeURIComponent(id)}`) : null;
  const listSection = h('section.card', { id: 'trigger-list' });
  clear(listSection, table(['Integration', 'Expert', 'Direct chats', 'Group chats', 'State', ''], triggers.items.map(t => {
    const toggle = h('button.publish', { type: 'button', dataset: { trigger: t.id }, onclick: () => busy(toggle, listSection, async () => {
      await api('POST', `/api/triggers/${encodeURIComponent(t.id)}/${t.published ? 'unpublish' : 'publish'}`);
      await triggersPage(ctx, id);
    }) }, t.published ? 'Unpublish' : 'Publish');
    return [h('a', { href: `#/triggers/${encodeURIComponent(t.id)}` }, name(integrations.items, t.integrationId)), name(experts.items, t.expertId),
      t.directChat.mode, t.groupChat.mode, badge(t.published ? 'published' : 'draft'), toggle];
  }), 'No triggers yet: a trigger binds an integration to an expert.'));
  const missing = !integrations.items.length || !experts.items.length
    ? h('p.notice.warn', {}, 'A trigger needs an integration and an expert: create them first.') : null;
  clear(ctx.main, h('h1', {}, 'Triggers'), listSection, h('h2', {}, existing ? 'Edit trigger' : 'New trigger'), missing,
    triggerForm(existing, integrations.items, experts.items));
}

function triggerForm(existing, integrations, experts) {
  const v = existing || { directChat: { mode: 'all_users', users: [] }, groupChat: { mode: 'all_chats', chats: [] },
    groupReplyStrategy: 'mention_only', sessionTimeoutSeconds: 3600, aggregationWindowSeconds: 0 };
  const f = {
    integrationId: field('integrationId', 'Integration', 'select', { options: integrations.map(i => [i.id, `${i.name} (${i.connectionMode})`]), value: v.integrationId }),
    expertId: field('expertId', 'Expert', 'select', { options: experts.map(x => [x.id, `${x.name} (${x.type})`]), value: v.expertId }),
    directMode: field('directChat', 'Direct chats', 'select', { options: [['all_users', 'Everyone'], ['selected_users', 'Selected users'], ['off', 'Off']], value: v.directChat.mode }),
  };
  const users = picker('directChat.users', 'Users', v.directChat.users, (q, token) =>
    api('GET', `/api/integrations/${encodeURIComponent(f.integrationId.control.value)}/users` + query({ q, pageToken: token, pageSize: 50 })),
  u => [u.openId, u.name]);
  f.groupMode = field('groupChat', 'Group chats', 'select', { options: [['all_chats', 'Every group the bot is in'], ['selected_chats', 'Selected groups'], ['off', 'Off']], value: v.groupChat.mode });
  const chats = picker('groupChat.chats', 'Groups', v.groupChat.chats, (q, token) =>
    api('GET', `/api/integrations/${encodeURIComponent(f.integrationId.control.value)}/chats` + query({ q, pageToken: token, pageSize: 50 })),
  c => [c.chatId, c.name]);
  const rest = {
    groupReplyStrategy: field('groupReplyStrategy', 'In groups, answer', 'select', { options: [['mention_only', 'Only when the bot is @mentioned'], ['all_messages', 'Every message']], value: v.groupReplyStrategy }),
    sessionTimeoutSeconds: field('sessionTimeoutSeconds', 'Session timeout (seconds)', 'number', { value: v.sessionTimeoutSeconds, min: 1,
      hint: 'After this much silence the next message opens a new conversation.' }),
    aggregationWindowSeconds: field('aggregationWindowSeconds', 'Message aggregation window (seconds)', 'number', { value: v.aggregationWindowSeconds, min: 0, max: 600,
      hint: '0 = off. Messages within the window are merged into one expert turn.' }),
    threadSessions: field('threadSessions', 'Each thread of a topic group is its own conversation, answered in the thread', 'checkbox', { value: v.threadSessions }),
    acceptBotMessages: field('acceptBotMessages', 'Answer other bots that @mention this one', 'checkbox', { value: v.acceptBotMessages }),
    welcomeMessage: field('welcomeMessage', 'Welcome message when the bot joins a group (optional)', 'textarea', { value: v.welcomeMessage || '' }),
  };
  const show = () => {
    users.hidden = f.directMode.control.value !== 'selected_users';
    chats.hidden = f.groupMode.control.value !== 'selected_chats';
  };
  f.directMode.control.addEventListener('change', show);
  f.groupMode.control.addEventListener('change', show);
  f.integrationId.control.addEventListener('change', () => { users.reset(); chats.reset(); });
  show();
  const number = c => c.value === '' ? null : Number(c.value);
  const save = h('button.primary', { type: 'submit' }, existing ? 'Save' : 'Create trigger');
  const remove = existing ? h('button.danger', { type: 'button', onclick: () => busy(remove, form, async () => {
    if (!confirm('Delete this trigger?')) return;
    await api('DELETE', `/api/triggers/${encodeURIComponent(existing.id)}`);
    location.hash = '#/triggers';
  }) }, 'Delete') : null;
  const form = h('form.card', { id: 'trigger-form', novalidate: true, onsubmit: e => {
    e.preventDefault();
    busy(save, form, async () => {
      const body = {
        integrationId: f.integrationId.control.value, expertId: f.expertId.control.value,
        directChat: { mode: f.directMode.control.value, users: users.values() },
        groupChat: { mode: f.groupMode.control.value, chats: chats.values() },
        groupReplyStrategy: rest.groupReplyStrategy.control.value,
        sessionTimeoutSeconds: number(rest.sessionTimeoutSeconds.control), aggregationWindowSeconds: number(rest.aggregationWindowSeconds.control),
        threadSessions: rest.threadSessions.control.checked, acceptBotMessages: rest.acceptBotMessages.control.checked,
        welcomeMessage: rest.welcomeMessage.control.value.trim() || null,
      };
      const saved = existing ? await api('PUT', `/api/triggers/${encodeURIComponent(existing.id)}`, body) : await api('POST', '/api/triggers', body);
      location.hash = `#/triggers/${encodeURIComponent(saved.id)}`;
    });
  } }, f.integrationId, f.expertId, f.directMode, users, f.groupMode, chats, Object.values(rest), h('div.actions', {}, save, remove));
  return form;
}

/**
 * A multi-select of ids fed by a selector: search, results with Add buttons (and More for the next page), chosen ids as chips.
 * `name` is the API field (directChat.users) so a validation error shows here.
 */
function picker(name, label, initial, fetchPage, idName) {
  const chosen = new Map(initial.map(id => [id, id]));
  const chips = h('div.chips', { 'aria-label': 'Chosen ' + label.toLowerCase() });
  const results = h('ul', { 'aria-label': label + ' found' });
  const search = h('input', { type: 'search', 'aria-label': 'Search ' + label.toLowerCase(), placeholder: 'Search by name' });
  const error = h('p.field-error', { id: 'err-' + name.replace('.', '-'), hidden: true, dataset: { errorFor: name } });
  const more = h('button', { type: 'button', hidden: true }, 'More');
  let token = null;
  const renderChips = () => clear(chips, [...chosen].map(([id, text]) => h('span.chip', {}, text,
    h('button', { type: 'button', 'aria-label': 'Remove ' + text, onclick: () => { chosen.delete(id); renderChips(); } }, '×'))),
  chosen.size ? null : h('span.hint', {}, 'None chosen yet.'));
  const load = async append => {
    error.hidden = true;
    try {
      const page = await fetchPage(search.value.trim(), append ? token : null);
      token = page.nextPageToken;
      more.hidden = !token;
      if (!append) clear(results);
      page.items.forEach(item => {
        const [id, text] = idName(item);
        results.append(h('li', {}, h('span', {}, text || id, ' ', h('code', {}, id)),
          h('button.pick', { type: 'button', dataset: { id }, 'aria-label': `Add ${text || id}`, onclick: () => { chosen.set(id, text || id); renderChips(); } }, 'Add')));
      });
      if (!results.children.length) results.append(h('li.hint', {}, 'Nothing found.'));
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
    }
  };
  more.addEventListener('click', () => load(true));
  const find = h('button', { type: 'button', onclick: () => load(false) }, 'Search');
  search.addEventListener('keydown', e => { if (e.key === 'Enter') { e.preventDefault(); load(false); } });
  const wrap = h('fieldset.picker', { dataset: { field: name }, id: 'picker-' + name.replace('.', '-') }, h('legend', {}, label), chips, error,
    h('div.row', {}, search, h('div', {}, find)), results, more);
  wrap.values = () => [...chosen.keys()];
  wrap.reset = () => { clear(results); more.hidden = true; token = null; };
  renderChips();
  return wrap;
}
