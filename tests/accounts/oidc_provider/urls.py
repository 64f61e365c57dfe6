import json

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.http import JsonResponse
from django.urls import include, path
from jwcrypto import jwk


def forged_jwks(request):
    """Another key published under the real key's id: a token signed with the real key
    does not verify against it. A site that checks signatures must refuse it."""
    real = jwk.JWK.from_pem(settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"].encode())
    other = jwk.JWK.generate(kty="RSA", size=2048)
    data = {"alg": "RS256", "use": "sig", "kid": real.thumbprint()}
    data.update(json.loads(other.export_public()))
    return JsonResponse({"keys": [data]})


urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("login/", LoginView.as_view(template_name="login.html"), name="login"),
    path("forged-jwks/", forged_jwks),
]
