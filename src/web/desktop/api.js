// HTTP calls of the desktop: JSON in and out, the session cookie, and the CSRF header on changes.
// Every page signs in through here, so a one-time password is changed here before the page goes on.
import { askForNewPassword, mustChangePassword } from '../password-change.js';

let csrfToken = '';
const changePassword = () => askForNewPassword({ submit: (body) => api('POST', '/api/me/password', body), logout: () => api('POST', '/api/logout', {}) });

export function setCsrfToken(token) {
  csrfToken = token || '';
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message_en || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code || (status === 0 ? 'ERR_NETWORK' : 'ERR_HTTP');
    this.zh = body?.error?.message || '';
    this.en = body?.error?.message_en || '';
    this.details = Array.isArray(body?.error?.details) ? body.error.details : [];
    this.body = body;
  }
}

export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, null);
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    if (error.code !== 'ERR_PASSWORD_CHANGE_REQUIRED' || path === '/api/me/password') throw error;
    await changePassword();
    return api(method, path, body);
  }
  if ((path === '/api/login' || path === '/api/me') && mustChangePassword(data)) {
    if (data.csrfToken) csrfToken = data.csrfToken;
    await changePassword();
    return { ...data, mustChangePassword: false, user: data.user && { ...data.user, mustChangePassword: false } };
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body ?? {});
export const put = (path, body) => api('PUT', path, body);
