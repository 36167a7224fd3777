"""The admin, scoped to one practice: a studio owner manages *their* practice only.

Superusers see everything, as before. Everyone else needs an active owner StaffMember
(`request.staff`, set by PracticeMiddleware) and then sees only rows whose practice —
reached by the admin's `practice_path`, e.g. "practice", "therapist__practice" or
"session__practice" — is their own. Another practice's object is not in the queryset,
so the admin answers its change page the way it answers a missing one.

- `PracticeScopedAdmin`: the ModelAdmin mixin for practice-owned data.
- `PracticeScopedInline`: the same for inlines (choices and owner-only access).
- `GlobalVocabularyAdmin`: shared vocabularies; owners may look, only superusers edit.
"""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from backcourse.audit.services import access_event_record, access_events_record_many
from backcourse.audit.signals import client_of
from backcourse.practices.models import Practice, StaffMember
from backcourse.practices.roles import Perm, staff_has_perm
from backcourse.security.limits import limit_form_field

# Models shared by every practice (no practice of their own): not narrowed.
GLOBAL_APPS = {"measures"}


def admin_owner(request) -> StaffMember | None:
    """The active owner StaffMember behind this request, or None."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        return None
    staff = getattr(request, "staff", None)
    if not staff_has_perm(staff, Perm.PRACTICE_ADMIN):
        return None
    return staff


def _is_superuser(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_active and user.is_superuser)


def practice_scoped(queryset: QuerySet, practice: Practice, *, admin_site=None) -> QuerySet:
    """Narrow `queryset` to `practice`. Unknown models without a practice fail closed."""
    model = queryset.model
    if model._meta.app_label in GLOBAL_APPS:
        return queryset
    if model is Practice:
        return queryset.filter(pk=practice.pk)
    if model is apps.get_model("accounts", "User"):
        return queryset.filter(
            Q(staff__practice=practice) | Q(client__practice=practice), is_superuser=False
        ).distinct()
    model_admin = admin_site._registry.get(model) if admin_site is not None else None
    path = getattr(model_admin, "practice_path", None)
    if path is None and any(f.name == "practice" for f in model._meta.get_fields()):
        path = "practice"
    if path is None:
        return queryset.none()
    return queryset.filter(**{path: practice.pk})


def _clients_related_to(obj) -> list:
    """Clients whose health data hangs below `obj` (what its delete page lists)."""
    from django.contrib.admin.utils import NestedObjects

    collector = NestedObjects(using="default")
    collector.collect([obj])
    clients = []
    rows = [row for group in collector.data.values() for row in group]
    rows += list(collector.protected)  # listed as what blocks the deletion
    for row in rows:
        client = client_of(row)
        if client is not None:
            clients.append(client)
    return clients


class ScopedForeignKeyRawIdWidget(ForeignKeyRawIdWidget):
    """The raw-id widget, whose label (the related object's name, shown beside the id)
    is looked up in the field's scoped queryset: an id of another practice's object,
    e.g. from `?client=<id>` on an add page, shows no label and no link."""

    def __init__(self, rel, admin_site, *, queryset, attrs=None, using=None):
        super().__init__(rel, admin_site, attrs=attrs, using=using)
        self.queryset = queryset

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            if not self.queryset.using(self.db).filter(**{key: value}).exists():
                return "", ""
        except (ValueError, TypeError, ValidationError):
            return "", ""
        return super().label_and_url_for_value(value)


class _ChoicesScoped:
    """Foreign-key and many-to-many choices limited to the owner's practice; the
    `practice` field itself is hidden and fixed to it. Free text and dates get the
    limits every other form has (security/limits.py)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return limit_form_field(super().formfield_for_dbfield(db_field, request, **kwargs))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        owner = None if _is_superuser(request) else admin_owner(request)
        if owner is None:
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        model = db_field.remote_field.model
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = self.get_field_queryset(None, db_field, request)
        if queryset is None:
            queryset = model._default_manager.all()
        kwargs["queryset"] = practice_scoped(queryset, owner.practice, admin_site=self.admin_site)
        # Clients and courses are picked by id, never from a list of every client's
        # name and complaint (which would be a read of all of them).
        identifying = model._meta.label_lower in ("clients.client", "courses.course")
        if (db_field.name in self.raw_id_fields or identifying) and "widget" not in kwargs:
            kwargs["widget"] = ScopedForeignKeyRawIdWidget(
                db_field.remote_field,
                self.admin_site,
                queryset=kwargs["queryset"],
                using=kwargs.get("using"),
            )
        if model is Practice and db_field.name == "practice":
            kwargs["widget"] = forms.HiddenInput
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.disabled = True  # the posted value is ignored; the owner's practice is used
            field.initial = owner.practice.pk
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        owner = None if _is_superuser(request) else admin_owner(request)
        if owner is None:
            return super().formfield_for_manytomany(db_field, request, **kwargs)
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = self.get_field_queryset(None, db_field, request)
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.all()
        kwargs["queryset"] = practice_scoped(queryset, owner.practice, admin_site=self.admin_site)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class PracticeScopedAdmin(_ChoicesScoped):
    """Mix into a ModelAdmin of practice-owned data (put it first)."""

    practice_path = "practice"
    # Every admin page that shows a client's data (a change, history or delete page, or
    # a list) writes one audit row per client shown, as the staff pages do. The client
    # is found beside the practice (`session__practice` -> `session.client`), or is the
    # object itself.
    audits_health_data = False  # kept for the admins that set it; every page is audited
    audit_reads = True  # False only for the audit trail itself (no rows about rows)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        self._audit_object(request, response, object_id, "admin: {name}")
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        self._audit_object(request, response, object_id, "admin: {name} history")
        return response

    def delete_view(self, request, object_id, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)
        self._audit_object(request, response, object_id, "admin: {name} delete page")
        if request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:  # the page lists every related row that would go
                access_events_record_many(
                    request=request,
                    clients=_clients_related_to(obj),
                    what=f"admin: {obj._meta.verbose_name} delete page",
                )
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", None) and response.context_data.get("cl")
        if (
            self.audit_reads
            and request.method == "GET"
            and response.status_code == 200
            and cl is not None
        ):
            clients = [c for c in map(self._client_of, cl.result_list) if c is not None]
            if clients:
                access_events_record_many(
                    request=request,
                    clients=clients,
                    what=f"admin: {self.model._meta.verbose_name_plural} list",
                )
        return response

    def _audit_object(self, request, response, object_id, what: str) -> None:
        if not self.audit_reads or request.method != "GET" or response.status_code != 200:
            return
        obj = self.get_object(request, object_id)
        client = self._client_of(obj) if obj is not None else None
        if client is not None:
            access_event_record(
                request=request, client=client, what=what.format(name=obj._meta.verbose_name)
            )

    def _client_of(self, obj):
        # practices sits below clients (Client has a practice): imported when called.
        from backcourse.clients.models import Client

        target = obj
        for part in self.practice_path.split("__")[:-1]:
            target = getattr(target, part, None)
            if target is None:
                return None
        if isinstance(target, Client):
            return target
        client = getattr(target, "client", None)
        return client if isinstance(client, Client) else None

    # --- who may use it ---------------------------------------------------------------

    def _allowed(self, request) -> bool:
        return _is_superuser(request) or admin_owner(request) is not None

    def _in_scope(self, request, obj) -> bool:
        if obj is None or _is_superuser(request):
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_module_permission(self, request):
        return self._allowed(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return (
            self._allowed(request)
            and super().has_view_permission(request, obj)
            and self._in_scope(request, obj)
        )

    def has_add_permission(self, request, *args):
        return self._allowed(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return (
            self._allowed(request)
            and super().has_change_permission(request, obj)
            and self._in_scope(request, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return (
            self._allowed(request)
            and super().has_delete_permission(request, obj)
            and self._in_scope(request, obj)
        )

    # --- what they see ----------------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if _is_superuser(request):
            return queryset
        owner = admin_owner(request)
        if owner is None:
            return queryset.none()
        return queryset.filter(**{self.practice_path: owner.practice.pk})

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if _is_superuser(request):
            return filters
        # A filter on the practice would list every practice's name; owners have one.
        return [f for f in filters if not (isinstance(f, str) and f.split("__")[-1] == "practice")]

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if _is_superuser(request):
            return columns
        # Always the owner's own practice: a column of the same name on every row.
        return [c for c in columns if c != "practice"] or columns

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        owner = None if _is_superuser(request) else admin_owner(request)
        if owner is None or "practice" not in form.base_fields:
            return form
        practice = owner.practice

        class OwnPracticeForm(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                # Disabled: the value comes from here, never from the posted data.
                self.initial["practice"] = practice.pk

        OwnPracticeForm.__name__ = form.__name__
        return OwnPracticeForm

    def save_model(self, request, obj, form, change):
        owner = None if _is_superuser(request) else admin_owner(request)
        if owner is not None and self.practice_path == "practice":
            obj.practice = owner.practice
        super().save_model(request, obj, form, change)


class PracticeScopedInline(_ChoicesScoped):
    """Mix into an InlineModelAdmin shown on a PracticeScopedAdmin page. Its rows belong
    to the (already scoped) parent; this limits choices and requires an owner."""

    def _allowed(self, request) -> bool:
        return _is_superuser(request) or admin_owner(request) is not None

    def has_view_permission(self, request, obj=None):
        return self._allowed(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._allowed(request) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request) and super().has_delete_permission(request, obj)


class GlobalVocabularyAdmin:
    """Mix into the ModelAdmin of a vocabulary every practice shares (measures, muscle
    regions, techniques): owners may look it up, only superusers change it."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return limit_form_field(super().formfield_for_dbfield(db_field, request, **kwargs))

    def has_module_permission(self, request):
        if _is_superuser(request):
            return super().has_module_permission(request)
        return admin_owner(request) is not None and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        if _is_superuser(request):
            return super().has_view_permission(request, obj)
        return admin_owner(request) is not None and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return _is_superuser(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return _is_superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _is_superuser(request) and super().has_delete_permission(request, obj)
