"""A real OpenID Connect provider for the single sign-on tests: django-oauth-toolkit in OIDC
mode, a Django project of its own, run in a process of its own by serve.py."""
