/**
 * The settings page (D3: an admin edits settings): pipelines and stages (#pipeline), the team (#team) and the
 * email templates (#templates). Managers see it all read-only; the API refuses their changes (403) anyway, so the
 * page leaves out the controls that would only fail. Each section lives in its own module.
 */

import "./i18n/settings.js";
import {onLanguageChange} from "./i18n.js";
import {startPage} from "./page.js";
import {mountPipelines, rerenderPipelines} from "./settings_pipeline.js";
import {mountTeam, rerenderTeam} from "./settings_team.js";
import {mountTemplates, rerenderTemplates} from "./settings_templates.js";

/** Brings the section the address names (#team) into view once it has content, as a deep link expects. */
function showLinkedSection() {
  const section = location.hash ? document.getElementById(location.hash.slice(1)) : null;
  if (section?.classList.contains("settings-panel")) {
    section.scrollIntoView();
    section.focus({preventScroll: true});
  }
}

async function main() {
  const me = await startPage();
  if (!me) return;
  const canEdit = me.role === "admin";
  document.getElementById("settings-read-only").hidden = canEdit;
  for (const element of document.querySelectorAll("[data-admin-only]")) element.hidden = !canEdit;
  await Promise.all([mountPipelines(canEdit), mountTeam(canEdit), mountTemplates(me, canEdit)]);
  onLanguageChange(() => {
    rerenderPipelines();
    rerenderTeam();
    rerenderTemplates();
  });
  document.body.dataset.ready = "true";
  showLinkedSection();
}

main();
