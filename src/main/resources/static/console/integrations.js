// Integrations: list, form (fields of the chosen mode, secrets masked), Test, and the tabs of one integration.
import { api, query, session } from './api.js';
import { h, clear, field, busy, table, badge, when, pager, resetErrors, showError } from './ui.js';

const MODES = [['long_connection', 'Long connection (recommended)'], ['webhook', 'Webhook'], ['sandbox', 'Sandbox (larkway plays Lark)']];
const LANGUAGES = [['en', 'English'], ['zh-Hans', '简体中文'], ['ja', '日本語']];
const TABS = [['status', 'Status'], ['settings', 'Settings'], ['users', 'Users'], ['sessions', 'Sessions'], ['dead-letters', 'Dead letters'], ['try-it', 'Try it']];

export async function integrationsPage(ctx) {
  const list = await api('GET', '/api/integrations?pageSize=200');
  const rows = list.items.map(i => [
    h('a', { href: `#/integrations/${encodeURIComponent(i.id)}/status` }, i.name),
    i.connectionMode, h('code', {}, i.appId), i.enabled ? 'enabled' : 'disabled']);
  clear(ctx.main,
    h('h1', {}, 'Integrations'),
    h('section.card', {}, table(['Name', 'Mode', 'App ID', ''], rows, 'No integrations yet: add your first Lark app below.')),
    h('h2', {}, 'New integration'),
    integrationForm(null));
}

/** The create/edit form with its Test button; `existing` is the API view (secrets masked) or null. */
function integrationForm(existing) {
  const v = existing || { connectionMode: 'long_connection', preferredLanguage: 'en', enabled: true, autoProvision: {} };
  const secretHint = existing ? 'Stored; leave empty to keep it.' : null;
  const f = {
    name: field('name', 'Name', 'text', { value: v.name }),
    appId: field('appId', 'App ID', 'text', { value: v.appId, placeholder: 'cli_…' }),
    connectionMode: field('connectionMode', 'Connection mode', 'select', { options: MODES, value: v.connectionMode }),
    appSecret: field('appSecret', 'App Secret', 'password', { placeholder: v.appSecret || '', hint: secretHint }),
    verificationToken: field('verificationToken', 'Verification Token', 'password', { placeholder: v.verificationToken || '', hint: secretHint }),
    encryptKey: field('encryptKey', 'Encrypt Key (optional)', 'password', { placeholder: v.encryptKey || '',
      hint: existing && v.encryptKey ? 'Stored; leave empty to keep it.' : 'Set it to have Lark encrypt and sign its callbacks.' }),
    removeEncryptKey: existing && v.encryptKey ? field('removeEncryptKey', 'Remove the stored Encrypt Key', 'checkbox') : null,
    international: field('international', 'International (Lark, larksuite.com) rather than Feishu', 'checkbox', { value: v.international }),
    preferredLanguage: field('preferredLanguage', 'Preferred language', 'select', { options: LANGUAGES, value: v.preferredLanguage }),
    autoProvision: field('autoProvision', 'Auto-provision users who talk to the bot', 'checkbox', { value: v.autoProvision?.enabled }),
    roleName: field('autoProvision.roleName', 'Role name of provisioned users', 'text', { value: v.autoProvision?.roleName }),
    enabled: field('enabled', 'Enabled', 'checkbox', { value: v.enabled }),
  };
  const webhookOnly = [f.verificationToken, f.encryptKey, f.removeEncryptKey].filter(Boolean);
  const showMode = () => {
    const webhook = f.connectionMode.control.value === 'webhook';
    webhookOnly.forEach(x => { x.hidden = !webhook; });
    f.roleName.hidden = !f.autoProvision.control.checked;
  };
  f.connectionMode.control.addEventListener('change', showMode);
  f.autoProvision.control.addEventListener('change', showMode);
  showMode();

  const body = () => {
    const b = {
      name: f.name.control.value.trim(), appId: f.appId.control.value.trim(), connectionMode: f.connectionMode.control.value,
      international: f.international.control.checked, preferredLanguage: f.preferredLanguage.control.value,
      autoProvision: { enabled: f.autoProvision.control.checked, roleName: f.roleName.control.value.trim() || null },
      enabled: f.enabled.control.checked,
    };
    // an empty secret field keeps the stored secret (the API keeps an absent one)
    ['appSecret', 'verificationToken', 'encryptKey'].forEach(k => { if (f[k].control.value) b[k] = f[k].control.value; });
    if (f.removeEncryptKey?.control.checked) b.encryptKey = '';
    return b;
  };
  const result = h('div', { 'aria-live': 'polite' });
  const save = h('button.primary', { type: 'submit' }, existing ? 'Save' : 'Create integration');
  const test = h('button', { type: 'button', onclick: async () => {
    const testing = h('p.hint', {}, 'Testing the credentials with Lark…');
    clear(result, testing);
    await busy(test, form, async () => {
      const answer = existing ? await api('POST', `/api/integrations/${encodeURIComponent(existing.id)}/test`)
        : await api('POST', '/api/integrations/test', body());
      clear(result, testResult(answer, existing));
    });
    if (result.firstChild === testing) clear(result);
  } }, 'Test');
  const remove = existing ? h('button.danger', { type: 'button', onclick: () => busy(remove, form, async () => {
    if (!confirm(`Delete the integration ${existing.name}?`)) return;
    await api('DELETE', `/api/integrations/${encodeURIComponent(existing.id)}`);
    location.hash = '#/integrations';
  }) }, 'Delete') : null;
  const form = h('form.card', { id: 'integration-form', novalidate: true, onsubmit: e => {
    e.preventDefault();
    busy(save, form, async () => {
      const saved = existing ? await api('PUT', `/api/integrations/${encodeURIComponent(existing.id)}`, body())
        : await api('POST', '/api/integrations', body());
      location.hash = `#/integrations/${encodeURIComponent(saved.id)}/${existing ? 'settings' : 'status'}`;
      if (existing) clear(result, h('p.notice.good', { role: 'status' }, 'Saved.'));
    });
  } }, Object.values(f).filter(Boolean), h('div.actions', {}, save, test, remove), result);
  if (existing) {
    // the Test of a saved integration tests what is stored: save first to test changes
    form.querySelector('.actions').append(h('span.hint', {}, 'Test checks the saved settings.'));
  }
  return form;
}

function testResult(answer, existing) {
  const out = [];
  if (answer.ok) {
    out.push(h('p.notice.good', { id: 'test-ok' }, `The credentials work: the bot is ${answer.bot?.name || '(unnamed)'} (${answer.bot?.openId || 'no open_id'}).`));
  } else {
    out.push(h('p.notice.bad', { id: 'test-error' }, 'Lark refused the credentials: ' + (answer.error || 'no reason given') + '.'));
  }
  if (answer.webhookUrl) {
    const url = h('input', { id: 'webhook-url', type: 'text', readonly: true, value: answer.webhookUrl, 'aria-label': 'Webhook URL' });
    const copied = h('span.hint', { 'aria-live': 'polite' });
    const copy = h('button', { type: 'button', onclick: async () => {
      try {
        await navigator.clipboard.writeText(answer.webhookUrl);
        copied.textContent = 'Copied.';
      } catch (e) {
        url.select();
        copied.textContent = 'Press Ctrl+C (⌘C) to copy the selected URL.';
      }
    } }, 'Copy');
    out.push(h('div', {}, h('label', { for: 'webhook-url' }, 'Paste this URL into the Lark developer console (Events and callbacks → Request URL):'),
      h('div.row', {}, url, h('div', {}, copy, copied))));
  } else if (!existing && answer.probe === undefined) {
    out.push(h('p.hint', {}, 'Save the integration to get its webhook URL.'));
  }
  (answer.warnings || []).forEach(w => out.push(h('p.notice.warn.test-warning', {}, w)));
  if (answer.probe) {
    const p = answer.probe;
    out.push(h('div.notice' + (p.connected ? '.good' : '.bad'), { id: 'probe' },
      h('strong', {}, 'Long-connection probe: '), p.connected ? 'the handshake succeeded' : 'the handshake failed',
      ` (state ${p.state})`, p.lastError ? ': ' + p.lastError : '', '.'));
  }
  return out;
}

export async function integrationPage(ctx, id, tab) {
  const i = await api('GET', `/api/integrations/${encodeURIComponent(id)}`);
  const tabs = TABS.filter(([t]) => t !== 'try-it' || i.connectionMode === 'sandbox');
  const panel = h('div', { id: 'tab-panel' });
  clear(ctx.main,
    h('p', {}, h('a', { href: '#/integrations' }, '← Integrations')),
    h('h1', {}, i.name, ' ', badge(i.connectionMode)),
    h('nav.tabs', { 'aria-label': 'Integration' }, tabs.map(([t, label]) =>
      h('a', { href: `#/integrations/${encodeURIComponent(id)}/${t}`, role: 'tab', 'aria-selected': String(t === tab), id: 'tab-' + t }, label))),
    panel);
  const show = {
    status: () => statusTab(ctx, i, panel),
    settings: () => clear(panel, integrationForm(i)),
    users: () => usersTab(i, panel),
    sessions: () => sessionsTab(i, panel),
    'dead-letters': () => deadLettersTab(i, panel),
    'try-it': () => tryItTab(i, panel),
  }[tab] || (() => statusTab(ctx, i, panel));
  await show();
}

/** Status, live: polls every 3 s while shown and lists every change of state as it happens (a reconnect shows as one). */
function statusTab(ctx, i, panel) {
  const live = h('div', { id: 'status-live' });
  const events = h('ul.events', { id: 'status-events', 'aria-live': 'polite' });
  const actions = h('div.actions');
  const section = h('section.card', {}, actions, live, h('h2', {}, 'Changes seen'), events);
  clear(panel, section);
  let last = null;
  let timer = null;
  let stopped = false;
  const note = text => events.prepend(h('li', {}, `${new Date().toLocaleTimeString()} ${text}`));
  const render = s => {
    const since = s.instances?.[0]?.connectedSince;
    if (last) {
      if (last.status !== s.status) note(`${last.status} → ${s.status}`);
      else if (s.status === 'connected' && last.since && since && last.since !== since) note('reconnected');
    }
    last = { status: s.status, since };
    const counters = s.counters || {};
    clear(live,
      h('dl.facts', {},
        h('dt', {}, 'Status'), h('dd', {}, h('span', { id: 'status-value' }, badge(s.status))),
        h('dt', {}, 'Mode'), h('dd', {}, s.mode),
        h('dt', {}, 'Bot'), h('dd', {}, s.bot?.name ? `${s.bot.name} (${s.bot.openId})` : 'not known yet'),
        h('dt', {}, 'Answers'), h('dd', {}, badge(s.replies?.status), s.replies?.lastError ? ' ' + s.replies.lastError : ''),
        h('dt', {}, 'Last connected'), h('dd', {}, when(s.lastConnectedAt)),
        h('dt', {}, 'Last delivery'), h('dd', {}, when(s.lastDeliveryAt)),
        h('dt', {}, 'Last error'), h('dd', {}, s.lastError || '—'),
        h('dt', {}, 'Counters'), h('dd', {}, `received ${counters.received ?? 0}, duplicates ${counters.duplicates ?? 0}, turns ${counters.turns ?? 0}, `
          + `replies ${counters.replies ?? 0}, reply failures ${counters.replyFailures ?? 0}, dropped ${Object.entries(counters.dropped || {}).map(([k, n]) => `${k} ${n}`).join(', ') || 0}`),
        h('dt', {}, 'Updated'), h('dd', {}, new Date().toLocaleTimeString())),
      s.instances?.length ? [h('h2', {}, 'Instances'), table(['Instance', 'State', 'Connected since'],
        s.instances.map(x => [h('code', {}, x.id), badge(x.state), when(x.connectedSince)]))] : null,
      h('h2', {}, 'Recent errors'),
      table(['At', 'Stage', 'Message', 'Message ID'], (s.recentErrors || []).map(e => [when(e.at), e.stage, e.message, h('code', {}, e.messageId || '')]),
        'No recent errors.'));
  };
  const path = `/api/integrations/${encodeURIComponent(i.id)}`;
  const poll = async () => {
    timer = null;
    try {
      render(await api('GET', path + '/status'));
      section.querySelector(':scope > .form-error')?.remove();
    } catch (e) {
      resetErrors(section);
      showError(section, e);
    }
    if (!stopped) timer = setTimeout(poll, 3000);
  };
  const act = (label, verb) => {
    const b = h('button', { type: 'button', id: 'status-' + verb, onclick: () => busy(b, section, async () => {
      render(await api('POST', `${path}/${verb}`));
    }) }, label);
    return b;
  };
  actions.append(act('Refresh bot info', 'refresh'));
  if (i.connectionMode === 'long_connection') actions.append(act('Reconnect', 'reconnect'), act('Disconnect', 'disconnect'));
  actions.append(h('span.hint', {}, 'Updates by itself every 3 seconds.'));
  ctx.onLeave(() => { stopped = true; if (timer) clearTimeout(timer); });
  return poll();
}

function usersTab(i, panel) {
  const q = field('q', 'Search by name', 'search');
  const source = field('source', 'Users', 'select', { options: [['', 'Visible to the app (Lark directory)'], ['provisioned', 'Talked to the bot (provisioned)']] });
  const out = h('div', { id: 'users-list' });
  const state = { token: null, stack: [] };
  const form = h('form.card', { id: 'users-form', novalidate: true, onsubmit: e => { e.preventDefault(); state.stack = []; load(null); } },
    h('div.row', {}, q, source), h('div.actions', {}, h('button.primary', { type: 'submit' }, 'Search')), out);
  const load = async token => {
    state.token = token;
    resetErrors(form);
    try {
      const page = await api('GET', `/api/integrations/${encodeURIComponent(i.id)}/users` + query({ q: q.control.value.trim(), source: source.control.value, pageToken: token, pageSize: 20 }));
      clear(out, table(['Name', 'Open ID', 'Provisioned'], page.items.map(u => [u.name || '—', h('code', {}, u.openId),
        u.provisioned || u.firstSeen ? 'yes' : 'no']), 'No users match.'), pager(state, page.nextPageToken, load));
    } catch (e) {
      clear(out);
      showError(form, e);
    }
  };
  clear(panel, form);
  return load(null);
}

function sessionsTab(i, panel) {
  const chatType = field('chatType', 'Chat type', 'select', { options: [['', 'All'], ['p2p', 'Direct'], ['group', 'Group']] });
  const expert = field('expertId', 'Expert', 'select', { options: [['', 'All']] });
  const out = h('div', { id: 'sessions-list' });
  const state = { token: null, stack: [] };
  const form = h('form.card', { id: 'sessions-form', novalidate: true, onsubmit: e => { e.preventDefault(); state.stack = []; load(null); } },
    h('div.row', {}, chatType, expert), h('div.actions', {}, h('button.primary', { type: 'submit' }, 'Filter')), out);
  const load = async token => {
    state.token = token;
    resetErrors(form);
    try {
      const page = await api('GET', '/api/sessions' + query({ integrationId: i.id, chatType: chatType.control.value, expertId: expert.control.value, pageToken: token, pageSize: 20 }));
      clear(out, table(['Chat', 'Sender', 'Expert', 'State', 'Waiting', 'Updated', ''], page.items.map(s => [
        h('span', {}, s.chatType, ' ', h('code', {}, s.chatId)), h('code', {}, s.senderOpenId || ''), h('code', {}, s.expertId), badge(s.state),
        String(s.waiting), when(s.updatedAt), endButton(s, form, () => load(state.token))]), 'No sessions yet.'),
      pager(state, page.nextPageToken, load));
    } catch (e) {
      clear(out);
      showError(form, e);
    }
  };
  clear(panel, form);
  api('GET', '/api/experts?pageSize=200').then(list => list.items.forEach(x => expert.control.append(h('option', { value: x.id }, x.name))))
    .catch(e => showError(form, e));
  return load(null);
}

function endButton(s, form, reload) {
  const b = h('button.end-session', { type: 'button', dataset: { session: s.id }, onclick: () => busy(b, form, async () => {
    await api('DELETE', `/api/sessions/${encodeURIComponent(s.id)}`);
    await reload();
    form.prepend(h('p.notice.good.form-error', { role: 'status' }, 'Conversation ended: the next message starts a new one.'));
  }) }, 'End conversation');
  return b;
}

function deadLettersTab(i, panel) {
  const section = h('section.card', { id: 'dead-letters' });
  const state = { token: null, stack: [] };
  const out = h('div');
  section.append(h('p.hint', {}, 'Replies that still failed after their retries. Retry sends one again as it was.'), out);
  const load = async token => {
    state.token = token;
    const page = await api('GET', `/api/integrations/${encodeURIComponent(i.id)}/dead-letters` + query({ pageToken: token, pageSize: 20 }));
    clear(out, table(['Created', 'Message ID', 'Reason', 'State', ''], page.items.map(d => {
      const b = h('button.retry', { type: 'button', dataset: { letter: d.id }, disabled: d.state !== 'failed', onclick: () => busy(b, section, async () => {
        const r = await api('POST', `/api/integrations/${encodeURIComponent(i.id)}/dead-letters/${encodeURIComponent(d.id)}/retry`);
        await load(state.token);
        section.prepend(h('p.notice.form-error' + (r.state === 'failed' ? '.bad' : '.good'), { role: 'status' },
          r.state === 'failed' ? 'The retry failed again: ' + (r.reason || 'no reason given') + '.' : `Retried: ${r.state}.`));
      }) }, 'Retry');
      return [when(d.createdAt), h('code', {}, d.messageId || ''), d.reason || '', badge(d.state), b];
    }), 'No dead letters: every reply got out.'), pager(state, page.nextPageToken, load));
  };
  clear(panel, section);
  return load(null);
}

/** The sandbox chat comes from /try-it.js (contract: mount(element, {integrationId, apiKey})). */
async function tryItTab(i, panel) {
  const mount = h('div', { id: 'try-it' });
  clear(panel, h('section.card', {}, mount));
  let module;
  try {
    module = await import('/try-it.js');
  } catch (e) {
    clear(mount, h('p.notice', { id: 'try-it-missing' }, 'The sandbox chat is not part of this larkway build (/try-it.js is missing).'));
    return;
  }
  await module.mount(mount, { integrationId: i.id, apiKey: session.key() });
}

