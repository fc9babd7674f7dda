/**
 * The sign-in page. Locally (config "auth": "local") one button per demo user: the runner signs a token like Cognito
 * would. On AWS ("cognito") Cognito's managed login page, with the OAuth authorization code flow and PKCE: the
 * browser keeps a random verifier and state for the round trip, checks the state that comes back, and trades the
 * code for tokens at the user pool domain's /oauth2/token; the access token (scope openid, which every API route
 * accepts) is the session's token. Both land on the page the user was sent here from (a link in an email), else
 * on the home page (L12).
 */

import "./i18n/login.js";
import {ApiError, loadConfig, localSignIn, localUsers, pageAfterSignIn, setToken} from "./api.js";
import {announce, h} from "./dom.js";
import {
  describeError, initialLanguage, languagePicker, onLanguageChange, roleName, setLanguage, t, translatePage,
} from "./i18n.js";

const HOME = "home.html";
const PKCE_KEY = "crm.pkce"; // {state, verifier} of the sign-in on its way through Cognito
const list = document.getElementById("users");
const message = document.getElementById("message");
const cognitoButton = document.getElementById("cognito-sign-in");
let users = [];

async function signIn(user, button) {
  for (const other of list.querySelectorAll("button")) other.disabled = true;
  announce(message, t("signingIn", {name: user.name}));
  try {
    await localSignIn(user.user_id);
    location.assign(pageAfterSignIn(HOME));
  } catch (error) {
    announce(message, t("signInFailed", {message: describeError(error)}), "error");
    for (const other of list.querySelectorAll("button")) other.disabled = false;
    button.focus();
  }
}

function render() {
  list.replaceChildren(...users.map((user) => h("li", {},
    h("button", {
      "type": "button", "class": "user-button", "data-testid": `login-${user.user_id}`,
      "onclick": (event) => signIn(user, event.currentTarget),
    },
    h("span", {class: "user-name"}, user.name || user.user_id),
    h("span", {class: "visually-hidden"}, ", "),
    h("span", {class: "user-role"}, roleName(user.role))))));
}

async function startLocal() {
  try {
    users = await localUsers();
  } catch (error) {
    announce(message, describeError(error), "error");
    return;
  }
  render();
}

// --- Cognito: authorization code + PKCE -------------------------------------------------------------------------

function base64Url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

function randomText(size) {
  return base64Url(crypto.getRandomValues(new Uint8Array(size)));
}

/** Sends the browser to Cognito's sign-in with a fresh state and the S256 challenge of a fresh verifier. */
async function toCognito(config) {
  const verifier = randomText(48);
  const state = randomText(24);
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({state, verifier}));
  const challenge = base64Url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const query = new URLSearchParams({
    response_type: "code", client_id: config.userPoolClientId, redirect_uri: config.redirectUri,
    scope: "openid email profile", state, code_challenge: challenge, code_challenge_method: "S256",
  });
  location.assign(`${config.cognitoDomain}/oauth2/authorize?${query}`);
}

/** Trades the authorization code for the access token (the verifier proves this browser asked for it). */
async function exchangeCode(config, code, verifier) {
  let response;
  try {
    response = await fetch(`${config.cognitoDomain}/oauth2/token`, {
      method: "POST",
      headers: {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
      body: new URLSearchParams({grant_type: "authorization_code", client_id: config.userPoolClientId, code,
        redirect_uri: config.redirectUri, code_verifier: verifier}),
    });
  } catch (error) {
    throw new ApiError(0, {message: error.message});
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.access_token) {
    throw new ApiError(response.status, {message: body.error_description || body.error || `HTTP ${response.status}`});
  }
  return body.access_token;
}

function offerCognito(config) {
  cognitoButton.hidden = false;
  cognitoButton.disabled = false;
  cognitoButton.onclick = () => {
    cognitoButton.disabled = true;
    toCognito(config);
  };
}

/** Back from Cognito with ?code&state (or ?error), or here to start: the sign-in button. */
async function startCognito(config) {
  document.getElementById("sign-in-intro").dataset.i18n = "loginCognitoIntro";
  translatePage();
  const answer = new URLSearchParams(location.search);
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? "null");
  sessionStorage.removeItem(PKCE_KEY); // a state and verifier serve one round trip only
  if (answer.has("code") || answer.has("error")) history.replaceState(null, "", location.pathname);
  if (answer.has("error")) {
    announce(message, t("loginRefused", {message: answer.get("error_description") || answer.get("error")}), "error");
  } else if (answer.has("code")) {
    if (!saved || saved.state !== answer.get("state")) {
      announce(message, t("loginStateMismatch"), "error");
    } else {
      announce(message, t("loginFinishing"));
      try {
        setToken(await exchangeCode(config, answer.get("code"), saved.verifier));
        location.assign(pageAfterSignIn(HOME));
        return;
      } catch (error) {
        announce(message, t("signInFailed", {message: describeError(error)}), "error");
      }
    }
  }
  offerCognito(config);
}

async function start() {
  setLanguage(initialLanguage());
  languagePicker(document.getElementById("language"));
  onLanguageChange(render);
  const config = await loadConfig();
  if (config.auth === "cognito") {
    await startCognito(config);
  } else if (config.auth === "local") {
    await startLocal();
  } else {
    announce(message, t("localOnly"), "error");
  }
}

start();
