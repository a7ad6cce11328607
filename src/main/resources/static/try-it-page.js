// The Try it page: signs in with an organisation key, picks a sandbox integration and mounts the chat window (try-it.js).
import { mount } from '/try-it.js';
// the key stays in this browser tab's session storage, never in a URL
const KEY = 'larkway.tryIt.apiKey';
const $ = id => document.getElementById(id);
let mounted = null;

async function integrations(key) {
  const all = [];
  let token = '';
  do {
    const r = await fetch('/api/integrations?pageSize=100' + (token ? '&pageToken=' + encodeURIComponent(token) : ''),
      { headers: { Authorization: 'Bearer ' + key } });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.message || 'The service answered ' + r.status + '.');
    all.push(...body.items);
    token = body.nextPageToken || '';
  } while (token);
  return all.filter(i => i.connectionMode === 'sandbox');
}

async function show(key) {
  $('error').textContent = '';
  try {
    const sandboxes = await integrations(key);
    $('signin').hidden = true;
    $('pick').hidden = false;
    if (!sandboxes.length) {
      $('error').textContent = 'This organisation has no sandbox integration yet: create one with connectionMode "sandbox".';
      return;
    }
    $('integration').replaceChildren(...sandboxes.map(i => new Option(i.name, i.id)));
    await open(key);
  } catch (e) {
    sessionStorage.removeItem(KEY);
    $('error').textContent = e.message;
  }
}

async function open(key) {
  if (mounted) mounted.unmount();
  mounted = await mount($('chat'), { integrationId: $('integration').value, apiKey: key });
}

$('signin').addEventListener('submit', e => {
  e.preventDefault();
  sessionStorage.setItem(KEY, $('key').value.trim());
  $('key').value = '';
  show(sessionStorage.getItem(KEY));
});
$('integration').addEventListener('change', () => open(sessionStorage.getItem(KEY)));
$('signout').addEventListener('click', () => {
  sessionStorage.removeItem(KEY);
  if (mounted) mounted.unmount();
  mounted = null;
  $('pick').hidden = true;
  $('signin').hidden = false;
});
if (sessionStorage.getItem(KEY)) show(sessionStorage.getItem(KEY));
