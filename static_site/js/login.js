/**
 * The local sign-in page: one button per demo user; the runner signs a token like Cognito would, and the board
 * opens as that user. A deployed CRM (config "auth" other than "local") signs in through Cognito instead.
 */

import {loadConfig, localSignIn, localUsers} from "./api.js";
import {announce, h} from "./dom.js";
import {describeError, initialLanguage, languagePicker, onLanguageChange, roleName, setLanguage, t} from "./i18n.js";

const list = document.getElementById("users");
const message = document.getElementById("message");
let users = [];

async function signIn(user, button) {
  for (const other of list.querySelectorAll("button")) other.disabled = true;
  announce(message, t("signingIn", {name: user.name}));
  try {
    await localSignIn(user.user_id);
    location.assign("board.html");
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

async function start() {
  setLanguage(initialLanguage());
  languagePicker(document.getElementById("language"));
  onLanguageChange(render);
  const config = await loadConfig();
  if (config.auth !== "local") {
    announce(message, t("localOnly"), "error");
    return;
  }
  try {
    users = await localUsers();
  } catch (error) {
    announce(message, describeError(error), "error");
    return;
  }
  render();
}

start();
