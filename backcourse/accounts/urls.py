from django.contrib.auth import views as auth_views
from django.urls import path

from backcourse.accounts import invitations, views

app_name = "accounts"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]

# Two-factor login.
urlpatterns += [
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
]

# A colleague's one-time link from the owner's invitation (issue 12).
urlpatterns += [
    path(
        "invitation/<uidb64>/<token>/",
        invitations.invitation_accept,
        name="invitation",
    ),
]
