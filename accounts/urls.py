from django.urls import include, path

from . import sso, views

# Not namespaced: allauth reverses its own names ("account_login", "account_signup", ...).
# The site's own routes come first; the two that share allauth's names replace its views.
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="account_login"),
    path("oidc/<str:provider_id>/login/callback/", sso.callback, name="openid_connect_callback"),
    path("profile/", views.profile, name="profile"),
    path("preferences/", views.save_preferences, name="preferences"),
    path("notifications/", views.save_notifications, name="notifications"),
    path("language/", views.set_language, name="set-language"),
    path("tokens/", views.create_token, name="api-token-create"),
    path("tokens/<int:pk>/revoke/", views.revoke_token, name="api-token-revoke"),
    path("invitation/<str:key>/", views.invitation, name="invitation"),
    path("confirm-email/again/", views.resend_confirmation, name="resend-confirmation"),
    path("", include("allauth.urls")),
]
