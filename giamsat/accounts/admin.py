from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import ApiToken, User, UserScope
from .services import totp_reset, user_unlock

PERMISSION_ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    """A permission in the reader's language: Django stores its name in English when it migrates."""
    model = permission.content_type.model_class()
    action = permission.codename.split("_", 1)[0]
    if model is None or action not in PERMISSION_ACTIONS or permission.codename != f"{action}_{model._meta.model_name}":
        return str(permission)
    what = PERMISSION_ACTIONS[action] % {"model": model._meta.verbose_name}
    return f"{model._meta.app_config.verbose_name} | {what}"


class PermissionLabels:
    """The permission pickers show each permission in the reader's language."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in {"permissions", "user_permissions"}:
            field.label_from_instance = permission_label
        return field


class ScopeInline(admin.TabularInline):
    model = UserScope
    raw_id_fields = ["org_unit"]
    extra = 0


@admin.register(User)
class UserAdmin(PermissionLabels, BaseUserAdmin):
    list_display = ["username", "full_name", "role", "home_unit", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "full_name", "email"]
    raw_id_fields = ["home_unit"]
    inlines = [ScopeInline]
    actions = ["unlock_sign_in", "reset_second_factor"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("GiamSat"), {"fields": ["full_name", "role", "home_unit", "domains"]}),
    ]

    @admin.action(description=_("Unlock sign-in (forget failed password attempts)"))
    def unlock_sign_in(self, request, queryset):
        for user in queryset:
            user_unlock(user=user)
        self.message_user(
            request,
            _("Sign-in unlocked for %(count)s user(s).") % {"count": queryset.count()},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reset two-step verification (e.g. a lost phone)"))
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            totp_reset(user=user, by=request.user)
        self.message_user(
            request,
            _(
                "Two-step verification reset for %(count)s user(s): they sign in with their password alone "
                "until they set it up again."
            )
            % {"count": queryset.count()},
            messages.SUCCESS,
        )


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(PermissionLabels, BaseGroupAdmin):
    """Django's group admin with the permissions named in Vietnamese (PermissionLabels)."""


# django-otp's own device admin shows secrets and needs another QR library: a read-only list instead.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)

# django-otp names its device model and fields in English only (no gettext): the admin names them
# here. Only the runtime options change (migrations read Meta's original attributes, untouched).
TOTPDevice._meta.verbose_name = _("authenticator app")
TOTPDevice._meta.verbose_name_plural = _("authenticator apps")


class ConfirmedFilter(admin.SimpleListFilter):
    title = _("set up completed")
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("1", _("Yes")), ("0", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in {"0", "1"}:
            return queryset.filter(confirmed=self.value() == "1")
        return queryset


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    list_display = ["device_user", "device_confirmed", "device_created_at", "device_last_used_at"]
    list_filter = [ConfirmedFilter]
    search_fields = ["user__username"]
    fields = ["device_user", "device_name", "device_confirmed", "device_created_at", "device_last_used_at"]
    readonly_fields = fields

    @admin.display(description=_("user"), ordering="user__username")
    def device_user(self, device: TOTPDevice):
        return device.user

    @admin.display(description=_("name"))
    def device_name(self, device: TOTPDevice) -> str:
        return device.name

    @admin.display(description=_("set up completed"), boolean=True, ordering="confirmed")
    def device_confirmed(self, device: TOTPDevice) -> bool:
        return device.confirmed

    @admin.display(description=_("created at"), ordering="created_at")
    def device_created_at(self, device: TOTPDevice):
        return device.created_at

    @admin.display(description=_("last used at"), ordering="last_used_at")
    def device_last_used_at(self, device: TOTPDevice):
        return device.last_used_at

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "token_hash", "created_at", "last_used_at"]
    search_fields = ["name", "user__username", "prefix"]
