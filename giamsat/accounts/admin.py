from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, User, UserScope
from .services import user_unlock


class ScopeInline(admin.TabularInline):
    model = UserScope
    raw_id_fields = ["org_unit"]
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "role", "home_unit", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "full_name", "email"]
    raw_id_fields = ["home_unit"]
    inlines = [ScopeInline]
    actions = ["unlock_sign_in"]
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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "token_hash", "created_at", "last_used_at"]
    search_fields = ["name", "user__username", "prefix"]
