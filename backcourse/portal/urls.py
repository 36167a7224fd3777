from django.urls import path

from backcourse.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("login/", views.login_view, name="login"),
    path("login/<str:secret>/", views.link_view, name="link"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_view, name="password"),
    path("consent/", views.consent_view, name="consent"),
    path("intake/", views.intake_view, name="intake"),
    path("sessions/<int:pk>/check-in/", views.checkin_view, name="checkin"),
    path("sessions/<int:pk>/cancel/", views.cancel_view, name="cancel"),
    path("sessions/<int:pk>/move/", views.reschedule_view, name="reschedule"),
    path("courses/<int:pk>/", views.course_view, name="course"),
    path(
        "courses/<int:pk>/questionnaire/<slug:code>/",
        views.questionnaire_view,
        name="questionnaire",
    ),
    path("data/", views.data_view, name="data"),
    path("data/my-data.json", views.export_json_view, name="export_json"),
    path("data/my-data.pdf", views.export_pdf_view, name="export_pdf"),
    path("data/erase/", views.erase_view, name="erase"),
    path("how-is-it/<str:secret>/", views.followup_view, name="followup"),
    path("staff/erasure-requests/", views.staff_erasure_list_view, name="staff_erasure"),
    path(
        "staff/erasure-requests/<int:pk>/confirm/",
        views.staff_erasure_confirm_view,
        name="staff_erasure_confirm",
    ),
    path(
        "staff/clients/<int:pk>/paper-consent/",
        views.staff_consent_paper_view,
        name="staff_consent_paper",
    ),
]
