from django.urls import path

from backcourse.waitlist import views

app_name = "waitlist"
urlpatterns = [
    path("", views.staff_list, name="staff"),
    path("<int:pk>/withdraw/", views.staff_withdraw, name="staff_withdraw"),
    path("mine/", views.client_page, name="mine"),
    path("offer/<uuid:token>/", views.offer, name="offer"),
]
