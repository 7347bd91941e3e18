"""Security headers Django does not set itself: Permissions-Policy (nosniff again for answers that bypass it)."""

from __future__ import annotations

from django.conf import settings


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions = settings.MOTCUA_PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.permissions:
            response.headers.setdefault("Permissions-Policy", self.permissions)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
