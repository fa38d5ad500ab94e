"""Accounts: login lockouts, two-factor authentication, password reset by background task."""
