from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from motcua.accounts.views import admin_sign_in
from motcua.api import views as api_views
from motcua.api.urls import api
from motcua.core import views as core_views
from motcua.dossiers.api import track_lean

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("ping", core_views.ping, name="ping"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("ngon-ngu/<str:code>/", core_views.switch_language, name="switch_language"),
    # Before the admin's own URLs: its sign-in page is the portal's (limits, lockout, 2FA).
    path("quan-tri-he-thong/login/", admin_sign_in, name="admin_sign_in"),
    path("quan-tri-he-thong/", admin.site.urls),
    # The public tracking call is the hot path: a lean view ahead of the API framework (same answer).
    path("api/v1/track/<str:code>", track_lean, name="api_track"),
    path("api/v1/", api.urls),
    path("tai-khoan/ma-truy-cap-api/", api_views.my_tokens, name="api_tokens"),
    path("can-bo/quan-tri/", include("motcua.administration.urls")),
    path("can-bo/thong-ke/", include("motcua.reports.urls")),
    path("can-bo/dong-bo/", include("motcua.sync.urls")),
    path("can-bo/", include("motcua.backoffice.urls")),
    path("minh-bach/", include("motcua.reports.public_urls")),
    path("", include("motcua.accounts.urls")),
    path("nop-ho-so/", include("motcua.submissions.urls")),
    path("ho-so-cua-toi/", include("motcua.citizen.urls")),
    path("kiosk/", include("motcua.kiosk.urls")),
    path("gop-y/", include("motcua.feedback.urls")),
    path("thanh-toan/", include("motcua.payments.urls")),
    *([path("thanh-toan/sandbox/", include("motcua.payments.contrib.sandbox.urls"))]
      if "motcua.payments.contrib.sandbox" in settings.INSTALLED_APPS else []),  # the demo gateway, when on
    path("", include("motcua.portal.urls")),
]

handler400 = "motcua.core.views.error_400"
handler403 = "motcua.core.views.error_403"
handler404 = "motcua.core.views.error_404"
handler500 = "motcua.core.views.error_500"
