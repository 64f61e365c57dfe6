"""A strict Content Security Policy: every script, style and font comes from our own static/.

Images and videos may come from elsewhere: the upstream's CDN serves the results, and the
first and last frames are any address the user typed. They are passive content, so they
are allowed from any http(s) origin while scripts, styles and connections stay same-origin.
"""

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "font-src 'self'",
        "img-src 'self' data: https: http:",
        "media-src 'self' https: http:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Pages we do not render ourselves and that need inline scripts: ReDoc's bootstrap.
EXEMPT_PREFIXES = ("/api/docs/",)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(EXEMPT_PREFIXES):
            response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
