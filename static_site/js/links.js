/**
 * Links to a record's page: record.html?kind=lead|contact|account|deal&id=<id>, the one shape record.js reads. The
 * emails and SMS link to the same page (functions/shared/crm/links.py builds them), so both open the record.
 */
export function recordHref(kind, id) {
  return `record.html?${new URLSearchParams({kind, id})}`;
}
