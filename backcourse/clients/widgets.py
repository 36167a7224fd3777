"""The client picker: a type-ahead search box in place of a <select> of every client.

A practice can have tens of thousands of clients, so the choices are never listed: the
widget posts the chosen client's id (a hidden input, validated by the form's scoped
ModelChoiceField as before) and asks `clients:search` for matches as the user types.
Behaviour lives in static/clients/client_picker.js (no inline script).
"""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ClientPicker(forms.Widget):
    template_name = "clients/widgets/client_picker.html"

    class Media:
        js = ["clients/client_picker.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        label = ""
        if value not in (None, ""):
            # Only the chosen client is looked up, through the field's (scoped) queryset.
            queryset = getattr(self.choices, "queryset", None)
            client = None
            if queryset is not None:
                try:
                    client = queryset.filter(pk=int(value)).first()
                except (TypeError, ValueError):
                    client = None
            label = client.full_name if client else ""
        context["widget"].update({"label": label, "search_url": reverse("clients:search")})
        return context

    def value_from_datadict(self, data, files, name):
        return data.get(name) or None


class ClientChoiceField(forms.ModelChoiceField):
    """A client of the practice, picked by type-ahead search (never listed in full)."""

    widget = ClientPicker
    default_error_messages = {"invalid_choice": _("Choose a client from the search results.")}
