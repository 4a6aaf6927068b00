"""Accounts, login and tokens, roles and scopes, protected personal data and the audit log."""
