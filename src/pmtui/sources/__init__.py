"""Data collection for the incident window. No Textual here."""
