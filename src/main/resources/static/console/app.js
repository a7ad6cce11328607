// The larkway console: sign-in, navigation and the hash routes (#/integrations, #/integrations/{id}/{tab}, …).
import { api, session, ApiError } from './api.js';
import { h, clear, field, busy } from './ui.js';
import { integrationsPage, integrationPage } from './integrations.js';
import { expertsPage } from './experts.js';
import { triggersPage } from './triggers.js';
import { orgsPage } from './orgs.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const signOut = document.getElementById('sign-out');
const banner = document.getElementById('banner');
/** Cleanup of the page shown (timers of the Status tab); called before the next page. */
let leave = () => {};

window.addEventListener('unhandledrejection', e => { showBanner(e.reason); e.preventDefault(); });
window.addEventListener('hashchange', route);
signOut.addEventListener('click', () => { session.signOut(); location.hash = ''; route(); });

function showBanner(error) {
  banner.textContent = error instanceof ApiError ? error.message : 'The console failed: ' + (error && error.message || error);
  banner.hidden = false;
}

function signInPage() {
  nav.hidden = true;
  signOut.hidden = true;
  const key = field('key', 'API key', 'password', {
    hint: 'An organisation key, or the admin key (data/admin.key on the embedded default) to manage organisations. '
      + 'It stays in this browser tab only.', autocomplete: 'off' });
  const button = h('button.primary', { type: 'submit' }, 'Sign in');
  const form = h('form.card', { id: 'sign-in', novalidate: true, onsubmit: e => {
    e.preventDefault();
    busy(button, form, async () => {
      const value = key.control.value.trim();
      if (!value) throw new ApiError(400, 'invalid_request', 'key is required');
      sessionStorage.clear();
      const role = await whoIs(value);
      session.signIn(value, role);
      location.hash = role === 'admin' ? '#/orgs' : '#/integrations';
      route();
    });
  } }, h('h1', {}, 'Sign in to larkway'), key, h('div.actions', {}, button));
  clear(main, form);
  key.control.focus();
}

/** 'org' or 'admin' for a key the API accepts; a sentence next to the key field otherwise. */
async function whoIs(key) {
  try {
    await api('GET', '/api/integrations?pageSize=1', undefined, key);
    return 'org';
  } catch (e) {
    if (e.status === 403) {
      await api('GET', '/api/orgs?pageSize=1', undefined, key);
      return 'admin';
    }
    if (e.status === 401) throw new ApiError(400, 'invalid_request', 'key is not a key larkway knows: check it and sign in again');
    throw e;
  }
}

function navigation(admin) {
  const links = admin ? [['#/orgs', 'Organisations']]
    : [['#/integrations', 'Integrations'], ['#/experts', 'Experts'], ['#/triggers', 'Triggers']];
  clear(nav, links.map(([href, text]) => h('a', { href }, text)));
  nav.hidden = false;
  signOut.hidden = false;
  nav.querySelectorAll('a').forEach(a => {
    if (location.hash.startsWith(a.getAttribute('href'))) a.setAttribute('aria-current', 'page');
  });
}

async function route() {
  leave();
  leave = () => {};
  banner.hidden = true;
  if (!session.key()) return signInPage();
  const admin = session.admin();
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (!parts.length) parts.push(admin ? 'orgs' : 'integrations');
  navigation(admin);
  clear(main);
  const ctx = { main, onLeave: f => { leave = f; } };
  try {
    if (admin) {
      await orgsPage(ctx);
    } else if (parts[0] === 'integrations' && parts[1]) {
      await integrationPage(ctx, parts[1], parts[2] || 'status');
    } else if (parts[0] === 'experts') {
      await expertsPage(ctx, parts[1]);
    } else if (parts[0] === 'triggers') {
      await triggersPage(ctx, parts[1]);
    } else {
      await integrationsPage(ctx);
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      session.signOut();
      return signInPage();
    }
    showBanner(e);
  }
  main.focus({ preventScroll: true });
}

route();
