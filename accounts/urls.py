from django.urls import include, path

from . import views

# Not namespaced: Django's auth views reverse their own names ("password_reset_done", ...).
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("profile/", views.profile, name="profile"),
    path("token/", views.issue_token, name="api-token-issue"),
    path("token/revoke/", views.revoke_token, name="api-token-revoke"),
    path("", include("django.contrib.auth.urls")),
]
