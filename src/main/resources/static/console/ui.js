// Small DOM helpers: elements, labelled fields, errors shown next to the field they concern.
import { ApiError } from './api.js';

let ids = 0;

/** h('button.primary', {type: 'submit', onclick}, 'Save') */
export function h(tag, attrs = {}, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name);
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * A labelled control; `name` is the API's field name (what error messages start with).
 * kind: text | password | number | search | select | checkbox | textarea.
 */
export function field(name, label, kind = 'text', opts = {}) {
  const id = 'f' + (++ids);
  const hintId = opts.hint ? id + '-hint' : null;
  let control;
  if (kind === 'select') {
    control = h('select', { id, name }, (opts.options || []).map(([value, text]) => h('option', { value }, text)));
    if (opts.value !== undefined && opts.value !== null) control.value = opts.value;
  } else if (kind === 'textarea') {
    control = h('textarea', { id, name, value: opts.value ?? '' });
  } else if (kind === 'checkbox') {
    control = h('input', { id, name, type: 'checkbox', checked: opts.value });
  } else {
    control = h('input', { id, name, type: kind, value: opts.value ?? '', placeholder: opts.placeholder,
      autocomplete: kind === 'password' ? 'off' : opts.autocomplete, min: opts.min, max: opts.max, required: opts.required });
  }
  if (hintId) control.setAttribute('aria-describedby', hintId);
  const error = h('p.field-error', { id: id + '-error', hidden: true, dataset: { errorFor: name } });
  const wrap = kind === 'checkbox'
    ? h('div.field', { dataset: { field: name } }, h('label.check', { for: id }, control, label), error)
    : h('div.field', { dataset: { field: name } }, h('label', { for: id }, label), control,
        hintId ? h('p.hint', { id: hintId }, opts.hint) : null, error);
  wrap.control = control;
  return wrap;
}

/** Clears the field errors and the form-level notice of a form. */
export function resetErrors(form) {
  form.querySelectorAll('.field-error').forEach(e => { e.hidden = true; e.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach(e => e.removeAttribute('aria-invalid'));
  form.querySelectorAll(':scope > .form-error').forEach(e => e.remove());
}

/**
 * Shows a failure next to the field it concerns (the ApiError's field, or its first part: "autoProvision.roleName"
 * also finds "autoProvision"), else as a sentence at the top of the form. Never raw JSON.
 */
export function showError(form, error) {
  const message = error instanceof ApiError ? error.message : 'Something went wrong in the console: ' + (error && error.message);
  const name = error instanceof ApiError ? error.field : null;
  let slot = null;
  if (name) {
    const parts = name.split('.');
    for (let i = parts.length; i > 0 && !slot; i--) {
      slot = form.querySelector(`[data-error-for="${CSS.escape(parts.slice(0, i).join('.'))}"]`);
    }
  }
  if (slot) {
    slot.textContent = message;
    slot.hidden = false;
    const control = slot.closest('.field')?.control || slot.parentElement.querySelector('input,select,textarea');
    if (control) {
      control.setAttribute('aria-invalid', 'true');
      control.setAttribute('aria-errormessage', slot.id);
      control.focus();
    }
  } else {
    const notice = h('p.notice.bad.form-error', { role: 'alert' }, message);
    form.prepend(notice);
  }
}

/** Runs an action of a button: disabled while it runs, failures shown in `form` (a form, section or any container). */
export async function busy(button, form, action) {
  button.disabled = true;
  if (form) resetErrors(form);
  try {
    return await action();
  } catch (e) {
    if (form) showError(form, e); else throw e;
  } finally {
    button.disabled = false;
  }
}

export function table(headers, rows, empty = 'Nothing here yet.') {
  if (!rows.length) return h('p.hint', {}, empty);
  return h('div.table-wrap', {}, h('table', {},
    h('thead', {}, h('tr', {}, headers.map(t => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.map(cells => h('tr', {}, cells.map(c => h('td', {}, c)))))));
}

export function badge(text) {
  return h('span.badge.' + String(text || 'none').replace(/[^\w-]/g, ''), {}, text ?? '—');
}

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString();
}

/** Prev/next buttons over a token-paged list; `load(token)` loads a page. */
export function pager(state, nextPageToken, load) {
  return h('div.actions', {},
    h('button', { type: 'button', disabled: state.stack.length === 0, onclick: () => load(state.stack.pop(), true) }, 'Previous page'),
    h('button', { type: 'button', disabled: !nextPageToken, onclick: () => { state.stack.push(state.token); load(nextPageToken, true); } }, 'Next page'));
}
