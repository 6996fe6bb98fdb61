// The REST API under /api/v1, with the session token kept in sessionStorage (gone with the tab).
const TOKEN = 'railyard.token';

export const session = {
  get token() { return sessionStorage.getItem(TOKEN); },
  set token(value) { value ? sessionStorage.setItem(TOKEN, value) : sessionStorage.removeItem(TOKEN); },
};

/** An error the API answered, with its stable code and a sentence to show. */
export class APIError extends Error {
  constructor(status, code, message, field) { super(message); this.status = status; this.code = code; this.field = field; }
}

/** Calls the API; resolves with the decoded JSON (null for 204), rejects with an APIError. */
export async function api(method, path, body) {
  const headers = {};
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = data?.error ?? {};
    if (response.status === 401 && session.token) { session.token = null; location.hash = '#/login'; }
    throw new APIError(response.status, error.code ?? 'http_' + response.status, error.message ?? response.statusText, error.field);
  }
  return data;
}

/** Path of a service in an environment, as the deploy routes spell it. */
export function servicePath(projectId, environmentId, serviceId) {
  return `/projects/${projectId}/environments/${environmentId}/services/${serviceId}`;
}
