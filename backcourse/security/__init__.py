"""Request-level safety nets shared by every app: bad-input refusal, no-store caching
of personal data, and the deployment settings' helpers. Not a Django app (no models)."""
