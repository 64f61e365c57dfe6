"""A strict Content Security Policy: every script, style and font comes from our own static/.

Images and videos may come from elsewhere: the upstream's CDN serves the results, and the
first and last frames are any address the user typed. They are passive content, so they
are allowed from any http(s) origin while scripts, styles and connections stay same-origin.

One page differs: the API docs (/api/docs/), drawn by ReDoc, which sets its styles at run
time and runs its search in a worker made from a blob. It gets a policy of its own that
allows just that, and nothing from any other origin (no fonts or logos from a CDN).
"""

COMMON = [
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]
POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "font-src 'self'",
        "img-src 'self' data: blob: https: http:",
        "media-src 'self' blob: https: http:",
        "connect-src 'self'",
        *COMMON,
    ]
)
DOCS_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "worker-src 'self' blob:",
        "style-src 'self' 'unsafe-inline'",
        "font-src 'self' data:",
        "img-src 'self' data:",
        "connect-src 'self'",
        *COMMON,
    ]
)
DOCS_PREFIX = "/api/docs/"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = DOCS_POLICY if request.path.startswith(DOCS_PREFIX) else POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        return response
