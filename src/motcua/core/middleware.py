from __future__ import annotations


class VietnameseFirstMiddleware:
    """Vietnamese unless the visitor chose another language with the switch (a cookie).

    A government portal speaks Vietnamese first; an English-language browser must not turn
    the first page a citizen sees into English, so the Accept-Language header is ignored.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
