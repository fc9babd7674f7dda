"""Notifications to CRM users (reps, managers) and to leads (emails and SMS from their rep), from jinja2 templates.

`crm.notifications.render` holds the API (`render_email`, `render_sms`); it imports jinja2 on first use,
so importing this package stays cheap for Lambda handlers that never send anything.
"""
