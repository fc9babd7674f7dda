// Written from functions/shared/crm/models/lead_fields.py (site_module); do not edit.
/** The lead's fields shown at the top of its record page, in declaration order. */
export const LEAD_RECORD_FACTS = Object.freeze(["company", "role", "email", "phone"]);
