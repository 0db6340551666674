"""The machinery behind the test fixtures. No test module imports it: each
layer's conftest.py declares the fixtures that layer may use, and builds
them from these modules.

- apps: PmApp factories and pilot helpers (tests/ui/conftest.py; the
  screen reader `screen_text` is shared, in tests/conftest.py)
- hostile: hostile strings and the terminal-output checker (ui)
- markdown: the report read back with a real GFM parser (unit)
- secrets: planted secrets and the leak scanner (unit, integration)
- github: a loopback GitHub REST server (ui, integration)
- prometheus: real Prometheus and Alertmanager processes (integration)
- kubernetes: a loopback Kubernetes API server over HTTPS (integration)
"""
