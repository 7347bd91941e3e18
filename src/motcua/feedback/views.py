"""Public feedback (/gop-y/) and the rating page (/gop-y/danh-gia/<code>/).

/gop-y/ takes a PAKN from anyone (signed in or not) and lists the answered, published ones
(masked name, redacted text, paginated). Anti-spam: a honeypot field (a robot that fills it is
told "thank you" and nothing is stored) and a fixed-window limit per client address
(MOTCUA_FEEDBACK_LIMIT submissions per MOTCUA_FEEDBACK_WINDOW seconds; 5 per hour by default).

The rating page serves the citizen who owns the dossier and the counter staff who record a
rating on the applicant's behalf (the back office links here, with ?next= to come back). Anyone
else gets 404, like an unknown code.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.core import ratelimit
from motcua.dossiers.errors import DossierError, InvalidInput
from motcua.dossiers.models import Dossier

from . import services
from .forms import FeedbackForm, RatingForm, clean_code
from .models import Category, Rating

PAGE_SIZE = 10


def _limits() -> tuple[int, int]:
    return (int(settings.MOTCUA_FEEDBACK_LIMIT), int(settings.MOTCUA_FEEDBACK_WINDOW))


def _page(request, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page((request.GET.get("page") or "")[:20])
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page


def _initial(user) -> dict:
    if not getattr(user, "is_authenticated", False):
        return {}
    return {"name": user.full_name or user.get_full_name(), "phone": user.phone, "email": user.email}


def _render_index(request, form, *, status: int = 200, limited_for: int | None = None):
    category = request.GET.get("loai", "")
    category = category if category in Category.values else ""
    page = _page(request, services.published_feedback(category))
    for item in page.object_list:
        item.public_title = services.redact(item.title)
        item.public_body = services.public_text(item)
        item.public_answer = services.redact(item.answer)
    return render(request, "feedback/index.html", {
        "form": form,
        "page": page,
        "page_query": f"loai={category}" if category else "",
        "categories": Category.choices,
        "category": category,
        "limited_minutes": (limited_for + 59) // 60 if limited_for else None,
    }, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def index(request):
    if request.method != "POST":
        return _render_index(request, FeedbackForm(initial=_initial(request.user)))
    form = FeedbackForm(request.POST)
    limit, window = _limits()
    if form.is_robot:
        ratelimit.hit(f"pakn:{ratelimit.client_ip(request)}", limit, window)
        messages.success(request, _("Cảm ơn bạn đã gửi phản ánh, kiến nghị."))
        return redirect("feedback:index")
    if not form.is_valid():
        return _render_index(request, form, status=400)
    verdict = ratelimit.hit(f"pakn:{ratelimit.client_ip(request)}", limit, window)
    if not verdict.allowed:
        response = _render_index(request, form, status=429, limited_for=verdict.retry_after)
        response["Retry-After"] = str(verdict.retry_after)
        return response
    data = form.cleaned_data
    item = services.submit_feedback(
        name=data["name"], phone=data["phone"], email=data["email"], dossier_code=data["dossier_code"],
        category=data["category"], title=data["title"], content=data["content"], user=request.user,
    )
    messages.success(request, _("Đã nhận phản ánh, kiến nghị số %(ref)s. Cơ quan có thẩm quyền sẽ trả lời qua "
                                "thông tin liên hệ bạn đã để lại và công khai câu trả lời tại trang này.")
                     % {"ref": item.reference})
    return redirect("feedback:index")


# --- rating -------------------------------------------------------------------------------------


def _dossier_for_rating(request, code: str) -> Dossier:
    dossier = (
        Dossier.objects.select_related("procedure_version", "agency").filter(code=clean_code(code)).first()
    )
    if dossier is None or not services.may_rate(request.user, dossier):
        raise Http404("no such dossier")
    return dossier


def _next_url(request, dossier: Dossier) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    if dossier.owner_id == request.user.pk:
        return reverse("citizen:dossier", args=[dossier.code])
    return reverse("feedback:rate", args=[dossier.code])


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rate(request, code: str):
    dossier = _dossier_for_rating(request, code)
    rating = Rating.objects.filter(dossier=dossier).first()
    form = RatingForm()
    status = 200
    if request.method == "POST" and rating is not None:
        messages.error(request, _("Hồ sơ %(code)s đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần.")
                       % {"code": dossier.code})
        status = 409
    elif request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            try:
                services.record_rating(dossier, request.user, form.answers(),
                                       comment=form.cleaned_data.get("comment", ""))
            except InvalidInput as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            except DossierError as exc:
                messages.error(request, exc.message)
                return redirect(_next_url(request, dossier))
            else:
                messages.success(request, _("Cảm ơn bạn đã đánh giá việc giải quyết hồ sơ %(code)s.")
                                 % {"code": dossier.code})
                return redirect(_next_url(request, dossier))
        status = 400
    return render(request, "feedback/rate.html", {
        "dossier": dossier,
        "rating": rating,
        "form": form,
        "open": rating is None and dossier.status == 10,
        "next": _next_url(request, dossier),
        "on_behalf": dossier.owner_id != request.user.pk,
    }, status=status)
