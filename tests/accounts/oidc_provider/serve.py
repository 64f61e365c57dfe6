"""Run the test identity provider: python -m tests.accounts.oidc_provider.serve SPEC_JSON

SPEC_JSON names the database file, the RSA key, the client (id, secret, redirect URI) and
the people who can sign in. The provider listens on a free loopback port and prints
`PORT <n>` once it serves; it stops when its standard input closes (the test ends).
"""

import json
import os
import sys
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main():
    spec = json.loads(sys.argv[1])
    application = {}
    server = make_server(
        "127.0.0.1",
        0,
        lambda environ, respond: application["app"](environ, respond),
        server_class=Server,
        handler_class=QuietHandler,
    )
    port = server.server_address[1]
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tests.accounts.oidc_provider.settings",
        IDP_DATABASE=spec["database"],
        IDP_RSA_PRIVATE_KEY=spec["rsa_private_key"],
        IDP_ISSUER=f"http://127.0.0.1:{port}/o",
        OAUTHLIB_INSECURE_TRANSPORT="1",  # loopback only, no TLS in the test
    )
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    for person in spec["people"]:
        get_user_model().objects.create_user(**person)
    Application.objects.create(
        name="Luma Studio",
        client_id=spec["client_id"],
        client_secret=spec["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=spec["redirect_uri"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    application["app"] = get_wsgi_application()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"PORT {port}", flush=True)
    sys.stdin.read()  # until the test closes our input
    server.shutdown()


if __name__ == "__main__":
    main()
