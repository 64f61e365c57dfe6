"""Single sign-on through the operator's OpenID Connect provider (allauth's provider).

allauth skips checking the ID token's signature when the token came straight from the
provider's token endpoint over TLS (the specification allows it). We check it anyway,
against the provider's published keys (its discovery document's jwks_uri): a token that
was not signed by the provider, for our client, by a key it publishes, signs nobody in.
This module replaces only the callback route; everything else is allauth's.
"""

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import Http404

PROVIDER_ID = "sso"


class SignatureCheckingAdapter(OpenIDConnectOAuth2Adapter):
    def _decode_id_token(self, app, id_token):
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )


@login_not_required
def callback(request, provider_id):
    try:
        view = OAuth2CallbackView.adapter_view(SignatureCheckingAdapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist:
        raise Http404("No such sign-in provider.")
