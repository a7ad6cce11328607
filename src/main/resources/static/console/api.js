// The HTTP API of PRODUCT.md §8 with the signed-in key (sessionStorage only: never a URL, never localStorage).
const KEY = 'larkway.key';
const ROLE = 'larkway.role';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  admin: () => sessionStorage.getItem(ROLE) === 'admin',
  signIn(key, role) { sessionStorage.setItem(KEY, key); sessionStorage.setItem(ROLE, role); },
  signOut() { sessionStorage.removeItem(KEY); sessionStorage.removeItem(ROLE); },
};

/** An API answer that is not 2xx: the contract's {error, message}, and the form field the message names (if any). */
export class ApiError extends Error {
  constructor(status, error, message) {
    super(sentence(message));
    this.status = status;
    this.error = error;
    // validation messages start with the field they concern ("appId is required", "directChat.users must …")
    const m = status === 400 && /^([A-Za-z][\w.]*) /.exec(message || '');
    this.field = m ? m[1] : null;
  }
}

/** Calls the API; answers the JSON body (null for 204) or throws an ApiError whose message is a sentence. */
export async function api(method, path, body, key = session.key()) {
  const headers = { Authorization: 'Bearer ' + key };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 'network', 'larkway could not be reached; check that it is running.');
  }
  if (response.status === 204) return null;
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  if (!response.ok) {
    const message = data && typeof data.message === 'string' ? data.message : `larkway answered HTTP ${response.status}.`;
    throw new ApiError(response.status, data && data.error, message);
  }
  return data;
}

/** A message as a sentence: capital first letter, full stop at the end. */
export function sentence(text) {
  const t = String(text || '').trim();
  if (!t) return t;
  const s = t[0].toUpperCase() + t.slice(1);
  return /[.!?…)]$/.test(s) ? s : s + '.';
}

export function query(params) {
  const q = new URLSearchParams();
  Object.entries(params).forEach(([k, v]) => { if (v !== null && v !== undefined && v !== '') q.set(k, v); });
  const s = q.toString();
  return s ? '?' + s : '';
}
