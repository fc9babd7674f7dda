/** The words of every signed-in page's own controls on a phone (js/page.js): the menu button. */

import {addMessages} from "../i18n.js";

addMessages({
  en: {navMenu: "Menu"},
  de: {navMenu: "Menü"},
  hu: {navMenu: "Menü"},
  el: {navMenu: "Μενού"},
  fa: {navMenu: "منو"},
});
