/**
 * Talking to the CRM API: the site's config, the bearer token of the signed-in user, and JSON requests.
 *
 * The token lives in sessionStorage, so it ends with the browser tab; any 401 sends the user back to sign in.
 * On AWS (config "auth": "cognito") it is the Cognito access token login.js got with the authorization code flow:
 * API Gateway checks its scope (openid) on every route.
 */

import {reasonText} from "./i18n.js";

const TOKEN_KEY = "crm.token";
const RETURN_KEY = "crm.return"; // the page a signed-out visitor opened: sign-in brings them back to it
const SITE_PAGE = /^[a-z_-]+\.html(\?[^#]*)?$/; // a page of this site (never another origin), with its query
const DEFAULT_CONFIG = Object.freeze({apiBase: "/api", auth: "local"});

/** An HTTP answer other than 2xx; `status` 0 means the request never got an answer. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.body = body ?? {};
  }

  /** The 422 field errors as {field: reason}, in the current language. */
  get fieldErrors() {
    return Object.fromEntries((this.body.errors ?? []).map((error) => [error.field, reasonText(error)]));
  }
}

let configPromise = null;

/** /config.json ({"apiBase", "auth"}) merged over the local defaults; read once per page. */
export function loadConfig() {
  configPromise ??= fetch("/config.json", {cache: "no-store", headers: {Accept: "application/json"}})
    .then((response) => (response.ok ? response.json() : {}))
    .catch(() => ({}))
    .then((config) => ({...DEFAULT_CONFIG, ...config}));
  return configPromise;
}

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Keeps the signed-in user's access token for this tab (Cognito's, or the local runner's). */
export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

/**
 * Forgets the token and goes to sign in (no token yet, or an expired one: Cognito's own session may still be
 * valid), remembering this page so that sign-in comes back to it: a link from an email opens the lead it names.
 */
export function signInAgain() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.setItem(RETURN_KEY, `${location.pathname.split("/").pop()}${location.search}`);
  location.assign("login.html");
}

/** Where sign-in goes: the page remembered by signInAgain (once, and only a page of this site), else `fallback`. */
export function pageAfterSignIn(fallback) {
  const page = sessionStorage.getItem(RETURN_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  return page && SITE_PAGE.test(page) && !page.startsWith("login.html") ? page : fallback;
}

/** Signs out: forgets the token and, on AWS, ends the Cognito session too (its /logout comes back to sign-in). */
export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  loadConfig().then((config) => {
    if (config.auth !== "cognito") {
      location.assign("login.html");
      return;
    }
    const query = new URLSearchParams({client_id: config.userPoolClientId, logout_uri: config.redirectUri});
    location.assign(`${config.cognitoDomain}/logout?${query}`);
  });
}

function queryString(query = {}) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== "") params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

async function send(url, {method = "GET", body, headers = {}, as = "json"} = {}) {
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: {Accept: "application/json", ...(body === undefined ? {} : {"Content-Type": "application/json"}),
        ...headers},
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, {message: error.message});
  }
  const text = await response.text();
  if (response.ok && as === "text") return text;
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = {message: text.slice(0, 200)};
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/**
 * A request to the CRM API: `path` is relative to the config's apiBase ("/board/sales").
 * Without a token, or on a 401, it goes to the sign-in page (and still rejects, with status 401).
 * `headers` adds request headers (e.g. Idempotency-Key); `as: "text"` answers the body as text (e.g. a CSV export).
 */
export async function api(path, {method = "GET", body, query, headers = {}, as = "json"} = {}) {
  const {apiBase} = await loadConfig();
  const token = getToken();
  if (!token) {
    signInAgain();
    throw new ApiError(401, {message: "Not signed in"});
  }
  try {
    return await send(`${apiBase.replace(/\/$/, "")}${path}${queryString(query)}`,
      {method, body, as, headers: {...headers, Authorization: `Bearer ${token}`}});
  } catch (error) {
    if (error.status === 401) signInAgain();
    throw error;
  }
}

/** The users the local runner lets you sign in as (GET /local/users): its active CRM users. */
export async function localUsers() {
  return send("/local/users");
}

/** Signs in a demo user on the local stack: POST /local/token {"user_id"} -> {"token"}, kept for this tab. */
export async function localSignIn(userId) {
  const {token} = await send("/local/token", {method: "POST", body: {user_id: userId}});
  if (!token) throw new ApiError(502, {message: "The local runner answered without a token"});
  setToken(token);
}
