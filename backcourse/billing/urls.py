from django.urls import path

from backcourse.billing import views

app_name = "billing"
urlpatterns = [
    path("", views.outstanding_view, name="outstanding"),
    path("clients/<int:pk>/", views.client_billing_view, name="client"),
    path("invoices/<int:pk>/", views.invoice_view, name="invoice"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf_view, name="invoice_pdf"),
    path("fees/<int:pk>/", views.fee_view, name="fee"),
    path("export/", views.export_view, name="export"),
    path("summary/", views.summary_view, name="summary"),
    path("charges/", views.my_charges_view, name="my_charges"),
    path("me/invoices/<int:pk>/pdf/", views.my_invoice_pdf_view, name="my_invoice_pdf"),
]
