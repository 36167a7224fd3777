from django.contrib import admin
from django.urls import include, path

from backcourse.accounts.views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("backcourse.accounts.urls")),
    path("", include("backcourse.scheduling.urls")),
    path("clients/", include("backcourse.clients.urls")),
    path("courses/", include("backcourse.courses.urls")),
    path("records/", include("backcourse.records.urls")),
    path("outcomes/", include("backcourse.outcomes.urls")),
    path("me/", include("backcourse.portal.urls")),
    path("api/", include("backcourse.api.urls")),
    path("admin/", admin.site.urls),
]

urlpatterns += [
    path("cal/", include("backcourse.notifications.urls")),
    path("audit/", include("backcourse.audit.urls")),
    path("book/", include("backcourse.booking.urls")),
    path("billing/", include("backcourse.billing.urls")),
    path("calendar/", include("backcourse.calendar.urls")),
    path("settings/", include("backcourse.setup.urls")),
    path("waitlist/", include("backcourse.waitlist.urls")),
    path("me/reminders/", include("backcourse.sms.urls")),
]
