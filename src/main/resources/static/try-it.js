// The sandbox chat window ("Try it"): chat as a made-up user with a sandbox integration's bot.
// Usage: const m = await import('/try-it.js'); const w = await m.mount(element, {integrationId, apiKey}); ... w.unmount();
// Everything the bot writes is shown as text (textContent), never as HTML.

const STYLE_ID = 'larkway-try-it-style';
const CSS = `
.tryit [hidden] { display: none !important; }
.tryit { display: flex; flex-direction: column; gap: .5rem; max-width: 48rem; font: inherit; }
.tryit-bar { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.tryit-bar label { display: flex; gap: .25rem; align-items: center; }
.tryit-log { border: 1px solid #ccc; border-radius: .25rem; min-height: 16rem; max-height: 60vh; overflow-y: auto; padding: .5rem;
  display: flex; flex-direction: column; gap: .5rem; background: #fafafa; }
.tryit-msg { max-width: 85%; padding: .4rem .6rem; border-radius: .5rem; background: #fff; border: 1px solid #ddd; align-self: flex-start; }
.tryit-msg.tryit-mine { align-self: flex-end; background: #e6f0ff; border-color: #bcd; }
.tryit-who { font-size: .8em; color: #555; }
.tryit-text { white-space: pre-wrap; overflow-wrap: anywhere; }
.tryit-card { border-left: 3px solid #36c; padding-left: .4rem; }
.tryit-reactions { font-size: .8em; color: #555; }
.tryit-form { display: flex; gap: .5rem; }
.tryit-form textarea { flex: 1; min-height: 2.5rem; font: inherit; }
.tryit-status { min-height: 1.2em; color: #a00; }
.tryit-toast { min-height: 1.2em; color: #064; }
.tryit-buttons { display: flex; flex-wrap: wrap; gap: .4rem; margin-top: .4rem; }
.tryit-empty { color: #777; }
`;

/** Renders the chat window into {@code element}; answers {unmount()}. */
export async function mount(element, { integrationId, apiKey }) {
  if (!document.getElementById(STYLE_ID)) {
    const style = document.createElement('style');
    style.id = STYLE_ID;
    style.textContent = CSS;
    document.head.appendChild(style);
  }
  const api = (method, path, body) => call(apiKey, method, `/api/integrations/${encodeURIComponent(integrationId)}/sandbox${path}`, body);
  const root = el('div', { className: 'tryit' });
  element.replaceChildren(root);
  const status = el('div', { className: 'tryit-status', role: 'status' });
  const toast = el('div', { className: 'tryit-toast', role: 'status' });
  const userSelect = el('select', { 'aria-label': 'Made-up user' });
  const chatSelect = el('select', { 'aria-label': 'Chat' });
  const mention = el('input', { type: 'checkbox' });
  const mentionLabel = el('label', {}, mention, document.createTextNode(' @mention the bot'));
  const log = el('div', { className: 'tryit-log', 'aria-live': 'polite', tabIndex: 0 });
  const input = el('textarea', { placeholder: 'Type a message…', 'aria-label': 'Message' });
  const send = el('button', { type: 'submit' }, document.createTextNode('Send'));
  const form = el('form', { className: 'tryit-form' }, input, send);
  root.append(
    el('div', { className: 'tryit-bar' },
      el('label', {}, document.createTextNode('As '), userSelect),
      el('label', {}, document.createTextNode('in '), chatSelect),
      mentionLabel),
    log, form, toast, status);

  let state;
  try {
    state = await api('GET', '');
  } catch (e) {
    status.textContent = e.message;
    return { unmount() { element.replaceChildren(); } };
  }
  const botName = state.bot.name;
  const names = new Map(state.users.map(u => [u.openId, u.name]));
  const messages = new Map(state.messages.map(m => [m.messageId, m]));
  for (const u of state.users) {
    userSelect.append(el('option', { value: u.openId }, document.createTextNode(u.name)));
  }

  const chatsFor = userId => state.chats.filter(c => c.type === 'group' || c.userId === userId);
  const fillChats = () => {
    const before = chatSelect.value;
    chatSelect.replaceChildren(...chatsFor(userSelect.value).map(c => el('option', { value: c.chatId },
      document.createTextNode(c.type === 'group' ? `${c.name} (group)` : `Direct chat with ${botName}`))));
    const group = state.chats.find(c => c.chatId === before && c.type === 'group');
    if (group) chatSelect.value = group.chatId;
  };
  const chatType = () => (state.chats.find(c => c.chatId === chatSelect.value) || {}).type;
  const syncMention = () => {
    const group = chatType() === 'group';
    mention.disabled = !group;
    mentionLabel.hidden = !group;
  };
  const render = () => {
    const shown = [...messages.values()].filter(m => m.chatId === chatSelect.value).sort((a, b) => a.createTime - b.createTime);
    log.replaceChildren(...(shown.length ? shown.map(m => bubble(m, botName, names, userSelect.value, click))
      : [el('div', { className: 'tryit-empty' }, document.createTextNode('No messages yet. Say hello.'))]));
    log.scrollTop = log.scrollHeight;
  };
  // a click on a card's button: larkway gets Lark's card.action.trigger callback; its toast shows here, the expert's answer in the chat
  const click = async (m, value, button) => {
    button.disabled = true;
    status.textContent = '';
    toast.textContent = '';
    try {
      const r = await api('POST', '/actions', { userId: userSelect.value, messageId: m.messageId, value });
      const t = r.answer && r.answer.toast;
      toast.textContent = t && typeof t.content === 'string' ? t.content : 'Sent.';
    } catch (e) {
      status.textContent = e.message;
    } finally {
      button.disabled = false;
    }
  };
  userSelect.addEventListener('change', () => { fillChats(); syncMention(); render(); });
  chatSelect.addEventListener('change', () => { syncMention(); render(); });
  fillChats();
  syncMention();
  render();

  form.addEventListener('submit', async event => {
    event.preventDefault();
    const text = input.value;
    if (!text.trim()) return;
    send.disabled = true;
    status.textContent = '';
    try {
      const answer = await api('POST', '/messages', {
        userId: userSelect.value, chatId: chatSelect.value, text, mention: chatType() === 'group' && mention.checked });
      messages.set(answer.message.messageId, answer.message);
      input.value = '';
      render();
    } catch (e) {
      status.textContent = e.message;
    } finally {
      send.disabled = false;
      input.focus();
    }
  });
  input.addEventListener('keydown', event => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // live changes: a server-sent event stream opened with a short-lived ticket (an EventSource sends no header, and a key never goes in a URL)
  let source = null;
  let mounted = true;
  let retry = null;
  const listen = async () => {
    try {
      const { ticket } = await api('POST', '/tickets');
      if (!mounted) return;
      source = new EventSource(`/api/integrations/${encodeURIComponent(integrationId)}/sandbox/events?ticket=${encodeURIComponent(ticket)}`);
      source.addEventListener('sandbox', e => {
        const change = JSON.parse(e.data);
        if (change.message) {
          messages.set(change.message.messageId, change.message);
          if (change.message.chatId === chatSelect.value) render();
        }
      });
      source.addEventListener('ready', () => { status.textContent = ''; });
      source.onerror = () => {
        // the stream ended (or never opened): its ticket may be spent, so listen again with a new one instead of the browser's retry
        source.close();
        if (mounted) retry = setTimeout(listen, 2000);
      };
    } catch (e) {
      status.textContent = `Live updates unavailable: ${e.message}`;
      // a refused key or a gone sandbox does not come back by retrying; an unreachable service may
      if (mounted && ![401, 403, 404].includes(e.status)) retry = setTimeout(listen, 5000);
    }
  };
  await listen();

  return {
    unmount() {
      mounted = false;
      clearTimeout(retry);
      if (source) source.close();
      element.replaceChildren();
    },
  };
}

/** One API call; a JSON error answer becomes an Error with its sentence. */
async function call(apiKey, method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { Authorization: `Bearer ${apiKey}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (ignored) { /* not JSON */ }
  if (!response.ok) {
    const error = new Error(json && json.message ? json.message : `The service answered ${response.status}.`);
    error.status = response.status;
    throw error;
  }
  return json;
}

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k in node && !k.includes('-')) node[k] = v; else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

function bubble(m, botName, names, me, click) {
  const mine = !m.fromBot && m.senderId === me;
  const who = m.fromBot ? botName : (names.get(m.senderId) || m.senderId);
  const shown = readable(m, botName);
  const body = el('div', { className: 'tryit-text' + (m.msgType === 'interactive' ? ' tryit-card' : '') },
    document.createTextNode(shown.text));
  const parts = [el('div', { className: 'tryit-who' }, document.createTextNode(who + (m.updateTime !== m.createTime ? ' · updated' : ''))), body];
  if (shown.buttons.length) {
    parts.push(el('div', { className: 'tryit-buttons' }, ...shown.buttons.map(b => {
      const button = el('button', { type: 'button', className: 'tryit-button' }, document.createTextNode(b.label));
      button.addEventListener('click', () => click(m, b.value, button));
      return button;
    })));
  }
  if (m.reactions && m.reactions.length) {
    parts.push(el('div', { className: 'tryit-reactions' },
      document.createTextNode(m.reactions.map(r => (r.emoji === 'Typing' ? `${botName} is typing…` : `[${r.emoji}]`)).join(' '))));
  }
  return el('div', { className: 'tryit-msg' + (mine ? ' tryit-mine' : '') }, ...parts);
}

/**
 * The message as plain text and its buttons: a text's text; a post's or a card's text and markdown (as written); a card
 * entity's card as it shows now ({@code m.card}); images as their alt text; buttons with their label and value.
 */
function readable(m, botName) {
  let content;
  try { content = JSON.parse(m.card || m.content); } catch (ignored) { return { text: String(m.content), buttons: [] }; }
  if (m.msgType === 'text') {
    return { text: String((content && content.text) || '').replace(/@_user_\d+/g, `@${botName}`), buttons: [] };
  }
  const out = [];
  const buttons = [];
  walk(content, out, buttons, 0);
  return { text: out.join('\n') || (buttons.length ? '' : '(empty)'), buttons };
}

function walk(node, out, buttons, depth) {
  if (depth > 30 || node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    const line = [];
    for (const item of node) {
      if (item && typeof item === 'object' && !Array.isArray(item) && (item.tag === 'text' || item.tag === 'a' || item.tag === 'md') && typeof item.text === 'string') {
        line.push(item.text); // a post paragraph's runs
      } else {
        walk(item, out, buttons, depth + 1);
      }
    }
    if (line.length) out.push(line.join(''));
    return;
  }
  if (node.tag === 'button') {
    const label = node.text && typeof node.text.content === 'string' ? node.text.content : 'button';
    // card JSON 1.0: value; 2.0: a callback behavior's value
    const callback = Array.isArray(node.behaviors) ? node.behaviors.find(b => b && b.type === 'callback' && 'value' in b) : null;
    const value = 'value' in node ? node.value : callback ? callback.value : undefined;
    if (value === undefined) out.push(`[${label}]`); else buttons.push({ label, value });
    return;
  }
  if (node.tag === 'img') {
    out.push(`[image${node.alt && typeof node.alt.content === 'string' && node.alt.content ? ': ' + node.alt.content : ''}]`);
    return;
  }
  if (typeof node.title === 'string') out.push(node.title);
  if (typeof node.content === 'string') out.push(node.content);
  for (const [k, v] of Object.entries(node)) {
    if (k !== 'config' && v && typeof v === 'object') walk(v, out, buttons, depth + 1);
  }
}
