"""Django's CSRF protection, fitted to faced's Referrer-Policy.

faced sends `Referrer-Policy: no-referrer` so that no page address ever
leaves a survivor's browser. Browsers then send `Origin: null` and no
Referer on faced's own form posts, which Django's origin and HTTPS referer
checks would refuse. This middleware keeps every other check:

- the CSRF token must match, and it is kept in the server-side session
  (CSRF_USE_SESSIONS), so that a cookie planted from elsewhere is useless;
- a real foreign Origin or Referer is still refused;
- `Origin: null` is accepted only when the browser's own Sec-Fetch-Site
  header, where sent, says the request came from faced itself.
"""

from django.middleware.csrf import CsrfViewMiddleware

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class FacedCsrfViewMiddleware(CsrfViewMiddleware):
    def process_view(self, request, callback, callback_args, callback_kwargs):
        if (
            request.method not in SAFE_METHODS
            and request.META.get("HTTP_ORIGIN") == "null"
        ):
            fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
            if fetch_site is not None and fetch_site != "same-origin":
                return self._reject(
                    request, f"Origin null from a {fetch_site} request."
                )
            del request.META["HTTP_ORIGIN"]
        return super().process_view(
            request, callback, callback_args, callback_kwargs
        )

    def _check_referer(self, request):
        # No Referer is what faced's own policy asks browsers for; the
        # session-bound token still has to match.
        if "HTTP_REFERER" not in request.META:
            return
        super()._check_referer(request)
