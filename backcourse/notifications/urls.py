from django.urls import path

from backcourse.notifications import views

app_name = "notifications"
urlpatterns = [
    path("feed/<str:token>.ics", views.feed, name="feed"),
    path("feeds/", views.feeds, name="feeds"),
    path("feeds/<int:pk>/revoke/", views.feed_revoke, name="feed_revoke"),
    path("sessions/<int:pk>.ics", views.session_file, name="session_ics"),
]
