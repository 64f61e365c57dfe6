"""Luma Studio settings: every knob is read from the environment here, once.

Through manage.py, with nothing set, the site runs in development: DEBUG on, SQLite, the
local AceDataCloud simulator. The production entry points (config/wsgi.py, config/asgi.py)
default DEBUG to off, and production has no defaults for secrets: a start that lacks one
stops with a message naming everything that is missing (see PRODUCTION_REQUIRED).
"""

import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

SECRET_KEY = env(
    "SECRET_KEY",
    default="dev-only-insecure-secret-key-do-not-use-in-production" if DEBUG else "",
)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",  # allauth's sessions page ("2 hours ago") loads it
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "config.third_party.TasksDatabaseConfig",  # django_tasks_db, its name translated
    "accounts",
    "videos",
    # Accounts (django-allauth): sign-up, sign-in, email, single sign-on, TOTP, sessions.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "allauth.usersessions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language a page is in: the browser's (Accept-Language), or the one the person
    # chose (a cookie, and their account: accounts.middleware.PreferencesMiddleware).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "videos.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "accounts.middleware.StaffMFAMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.account",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so the quota check
    # and the insert that follows it are serialized instead of deadlocking.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
    # A file, not memory, so that the live test server's threads each get their
    # own connection and the concurrency tests contend as real processes would.
    DATABASES["default"]["TEST"] = {
        "NAME": env("SQLITE_TEST_NAME", default=str(BASE_DIR / ".test-db.sqlite3"))
    }
elif env("WEB_SERVER", default="wsgi") == "asgi":
    # Under ASGI every request's synchronous part has a thread of its own: connections come
    # from a pool (psycopg's), so a burst of streams or calls waits its turn for one of
    # DATABASE_POOL_SIZE connections instead of opening one each (PostgreSQL refuses past
    # max_connections).
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them open
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env.int("DATABASE_POOL_SIZE", default=10),
        "timeout": 30,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------
# The throttles, the login guard and allauth's rate limits count here, so every web process
# must share it: CACHE_URL=redis://host:6379/1 (Django's own RedisCache; pip install redis).
# Without CACHE_URL, development uses per-process memory and production the database
# (the table `manage.py createcachetable` makes), so counts never split between processes.
CACHE_URL = env("CACHE_URL", default="")
if CACHE_URL:
    CACHES = {"default": environ.Env.cache_url_config(CACHE_URL)}
elif DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "luma_cache",
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The guard refuses sign-ins for a username from an address after LOGIN_MAX_FAILURES
# failed attempts within LOGIN_LOCKOUT_SECONDS (pages, admin and the API's token endpoint).
# It wraps allauth's backend, which signs in by username or by email address.
AUTHENTICATION_BACKENDS = ["accounts.login_guard.GuardedBackend"]
LOGIN_MAX_FAILURES = env.int("LOGIN_MAX_FAILURES", default=5)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=900)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "videos:list"
LOGOUT_REDIRECT_URL = "videos:home"

# English and Simplified Chinese. Another language is a translation file away: add it
# here and run makemessages (README, Development: Languages).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The site's time zone: quota periods follow its calendar. A person may show times in
# their own (the profile page).
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"
# Finished videos are copied here from AceDataCloud (which keeps them 30 days). Set a
# bucket to use any S3-compatible store instead (pip install "django-storages[s3]").
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            # Files are private: the site hands out short-lived signed links to their owner.
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 3600,
            "file_overwrite": False,
        },
    }
# Media is fetched only from the URLs AceDataCloud reported, never from loopback or
# private addresses unless the host is listed here (the simulator in development).
MEDIA_FETCH_ALLOWED_HOSTS = env.list(
    "MEDIA_FETCH_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
MEDIA_FETCH_CONNECT_TIMEOUT = env.float("MEDIA_FETCH_CONNECT_TIMEOUT", default=5.0)
MEDIA_FETCH_READ_TIMEOUT = env.float("MEDIA_FETCH_READ_TIMEOUT", default=60.0)
# The most one download may take in all: a server trickling bytes is cut off after this.
MEDIA_FETCH_TOTAL_TIMEOUT = env.float("MEDIA_FETCH_TOTAL_TIMEOUT", default=600.0)
MEDIA_MAX_VIDEO_BYTES = env.int("MEDIA_MAX_VIDEO_BYTES", default=500 * 1024 * 1024)
MEDIA_MAX_IMAGE_BYTES = env.int("MEDIA_MAX_IMAGE_BYTES", default=25 * 1024 * 1024)
MEDIA_COPY_MAX_ATTEMPTS = env.int("MEDIA_COPY_MAX_ATTEMPTS", default=6)
MEDIA_COPY_RETRY_BASE_SECONDS = env.float("MEDIA_COPY_RETRY_BASE_SECONDS", default=60.0)
# Frames and videos people upload (videos/uploads.py): checked, re-encoded without metadata,
# served at an unguessable address under PUBLIC_BASE_URL, deleted after UPLOAD_UNUSED_HOURS
# when no job used them.
UPLOAD_MAX_IMAGE_BYTES = env.int("UPLOAD_MAX_IMAGE_BYTES", default=15 * 1024 * 1024)
UPLOAD_MAX_IMAGE_PIXELS = env.int("UPLOAD_MAX_IMAGE_PIXELS", default=50_000_000)
UPLOAD_MAX_VIDEO_BYTES = env.int("UPLOAD_MAX_VIDEO_BYTES", default=10 * 1024 * 1024)
UPLOAD_UNUSED_HOURS = env.int("UPLOAD_UNUSED_HOURS", default=24)
# A body too large for any upload is refused before it is read (413), not spooled to disk.
FILE_UPLOAD_HANDLERS = [
    "videos.uploads.BodyLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- AceDataCloud -------------------------------------------------------
SIMULATOR_HOST = env("SIMULATOR_HOST", default="127.0.0.1")
SIMULATOR_PORT = env.int("SIMULATOR_PORT", default=8765)
SIMULATOR_DELAY_SECONDS = env.float("SIMULATOR_DELAY_SECONDS", default=20.0)
# The base of the media URLs the simulator hands out (default: its own address).
SIMULATOR_PUBLIC_BASE_URL = env("SIMULATOR_PUBLIC_BASE_URL", default="")

ACEDATACLOUD_BASE_URL = env(
    "ACEDATACLOUD_BASE_URL",
    default=f"http://{SIMULATOR_HOST}:{SIMULATOR_PORT}" if DEBUG else "https://api.acedata.cloud",
).rstrip("/")
ACEDATACLOUD_API_TOKEN = env(
    "ACEDATACLOUD_API_TOKEN", default="dev-simulator-token" if DEBUG else ""
)
ACEDATACLOUD_CONNECT_TIMEOUT = env.float("ACEDATACLOUD_CONNECT_TIMEOUT", default=5.0)
ACEDATACLOUD_READ_TIMEOUT = env.float("ACEDATACLOUD_READ_TIMEOUT", default=30.0)

# The address AceDataCloud can reach for callbacks (no trailing slash).
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000" if DEBUG else "").rstrip(
    "/"
)

# Production refuses to start without these, naming every one that is missing at once.
PRODUCTION_REQUIRED = {
    "SECRET_KEY": "a long random string: "
    'python -c "import secrets; print(secrets.token_urlsafe(50))"',
    "ACEDATACLOUD_API_TOKEN": "the site's token from https://platform.acedata.cloud "
    "(with DEBUG off Luma Studio talks to the real AceDataCloud service)",
    "PUBLIC_BASE_URL": "the https address at which AceDataCloud reaches this site's callbacks",
}
if not DEBUG:
    _missing = [name for name in PRODUCTION_REQUIRED if not globals()[name]]
    if _missing:
        raise ImproperlyConfigured(
            "Luma Studio is starting in production mode (DEBUG is off, the default for "
            "config.wsgi and config.asgi), and these settings are not set:\n"
            + "\n".join(f"  {name}: {PRODUCTION_REQUIRED[name]}" for name in _missing)
            + "\nSet them in the environment or in .env (see .env.example), or set DEBUG=true "
            "to run in development mode."
        )

# --- Quota and jobs -----------------------------------------------------
QUOTA_VIDEOS_PER_PERIOD = env.int("QUOTA_VIDEOS_PER_PERIOD", default=20)
QUOTA_PERIOD = env("QUOTA_PERIOD", default="month")
if QUOTA_PERIOD not in ("day", "week", "month"):
    raise ImproperlyConfigured("QUOTA_PERIOD must be one of: day, week, month.")
QUOTA_MAX_IN_FLIGHT = env.int("QUOTA_MAX_IN_FLIGHT", default=3)
# The most videos the whole site may make per period (unset: no cap). Staff may override it
# at run time in the admin (accounts.SiteBudget).
SITE_VIDEOS_PER_PERIOD = env.int("SITE_VIDEOS_PER_PERIOD", default=None)
if SITE_VIDEOS_PER_PERIOD is not None and SITE_VIDEOS_PER_PERIOD < 0:
    raise ImproperlyConfigured("SITE_VIDEOS_PER_PERIOD must be 0 or more (or unset: no cap).")
# Jobs beyond the in-flight cap wait in their owner's line (videos/line.py); a submission
# is refused only when this many already wait.
QUOTA_MAX_WAITING = env.int("QUOTA_MAX_WAITING", default=10)
JOB_TIMEOUT_SECONDS = env.int("JOB_TIMEOUT_SECONDS", default=900)
# After AceDataCloud accepted a job, how long the worker keeps trying to write its task id
# down while the database is away (the id is the only link to a job that will be billed).
TASK_ID_RETRY_SECONDS = env.int("TASK_ID_RETRY_SECONDS", default=300)
# Submissions that met a transient fault are retried this many times, with
# exponential back-off starting at SUBMIT_RETRY_BASE_SECONDS.
SUBMIT_MAX_ATTEMPTS = env.int("SUBMIT_MAX_ATTEMPTS", default=5)
SUBMIT_RETRY_BASE_SECONDS = env.float("SUBMIT_RETRY_BASE_SECONDS", default=15.0)
# An in-flight job is polled once its callback is this late, then at this interval.
POLL_AFTER_SECONDS = env.int("POLL_AFTER_SECONDS", default=120)
POLL_INTERVAL_SECONDS = env.int("POLL_INTERVAL_SECONDS", default=30)
# A job whose task id AceDataCloud answers "unknown" this many polls in a row has been
# forgotten upstream: it fails (quota given back) instead of waiting for the job timeout.
UPSTREAM_FORGOTTEN_POLLS = env.int("UPSTREAM_FORGOTTEN_POLLS", default=3)
# A task left RUNNING by a worker that stopped reporting in (WORKER_STALE_SECONDS) is
# abandoned: its worker died. So is one started this long ago by a worker without a
# heartbeat. The sweep marks it failed; whatever it was doing, the sweep finds again.
TASK_ABANDONED_SECONDS = env.int("TASK_ABANDONED_SECONDS", default=7200)
WORKER_SWEEP_SECONDS = env.float("WORKER_SWEEP_SECONDS", default=10.0)

# --- The AceDataCloud-compatible gateway (/luma/videos, /luma/tasks) -----
# A synchronous call is held at most this long (AceDataCloud's own `timeout` default).
GATEWAY_SYNC_TIMEOUT_SECONDS = env.int("GATEWAY_SYNC_TIMEOUT_SECONDS", default=300)
# Threads per web process (gunicorn --threads; deploy/gunicorn.conf.py reads the same).
WEB_THREADS = env.int("WEB_THREADS", default=8)
# How this process serves: `wsgi` (gunicorn's threads: pages, the API, webhooks) or `asgi`
# (uvicorn workers: live updates and waiting gateway calls). config/asgi.py says `asgi`.
WEB_SERVER = env("WEB_SERVER", default="wsgi")
if WEB_SERVER not in ("wsgi", "asgi"):
    raise ImproperlyConfigured("WEB_SERVER must be wsgi or asgi.")
if WEB_SERVER == "asgi":
    # A waiting call is a coroutine: thousands fit in one process (bench/live.py).
    GATEWAY_SYNC_MAX_WAITING = env.int("GATEWAY_SYNC_MAX_WAITING", default=2000)
else:
    # Each waiting call holds a thread; more are answered 429. Derived from WEB_THREADS so
    # that half the threads always stay free for pages, the API and AceDataCloud's
    # callbacks; a value that would let waiting calls take every thread is refused at start.
    GATEWAY_SYNC_MAX_WAITING = env.int("GATEWAY_SYNC_MAX_WAITING", default=max(WEB_THREADS // 2, 1))
    if not 0 <= GATEWAY_SYNC_MAX_WAITING < WEB_THREADS:
        raise ImproperlyConfigured(
            f"GATEWAY_SYNC_MAX_WAITING ({GATEWAY_SYNC_MAX_WAITING}) must be below WEB_THREADS "
            f"({WEB_THREADS}): synchronous gateway calls would take every thread of a web "
            "process and the site would stop answering pages. Lower it, or raise WEB_THREADS "
            "(and gunicorn's --threads) with it."
        )
# Synchronous calls one user may have waiting at once, across every web process.
GATEWAY_SYNC_MAX_WAITING_PER_USER = env.int("GATEWAY_SYNC_MAX_WAITING_PER_USER", default=2)
GATEWAY_MAX_BODY_BYTES = env.int("GATEWAY_MAX_BODY_BYTES", default=65536)
# Callback hosts exempt from the public-internet-only rule (development and tests).
CALLBACK_ALLOWED_HOSTS = env.list(
    "CALLBACK_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"] if DEBUG else []
)
CALLBACK_CONNECT_TIMEOUT = env.float("CALLBACK_CONNECT_TIMEOUT", default=5.0)
CALLBACK_READ_TIMEOUT = env.float("CALLBACK_READ_TIMEOUT", default=10.0)
CALLBACK_MAX_RESPONSE_BYTES = env.int("CALLBACK_MAX_RESPONSE_BYTES", default=65536)
CALLBACK_MAX_ATTEMPTS = env.int("CALLBACK_MAX_ATTEMPTS", default=6)
CALLBACK_RETRY_BASE_SECONDS = env.float("CALLBACK_RETRY_BASE_SECONDS", default=30.0)

# --- Live updates: job changes pushed to open pages and waiting gateway calls -------
# Redis, when configured, carries tasks (the RQ backend) and live updates alike.
REDIS_URL = env("REDIS_URL", default="")
# How a job's change reaches the web processes: `postgres` (LISTEN/NOTIFY), `redis`
# (publish/subscribe on REDIS_URL), `local` (one process only: tests) or `off` (pages poll;
# SQLite's default, which has no notifications).
LIVE_UPDATES = env(
    "LIVE_UPDATES",
    default="redis"
    if REDIS_URL
    else ("postgres" if "postgresql" in DATABASES["default"]["ENGINE"] else "off"),
)
if LIVE_UPDATES not in ("postgres", "redis", "local", "off"):
    raise ImproperlyConfigured("LIVE_UPDATES must be postgres, redis, local or off.")
if LIVE_UPDATES == "postgres" and "postgresql" not in DATABASES["default"]["ENGINE"]:
    raise ImproperlyConfigured("LIVE_UPDATES=postgres needs a PostgreSQL DATABASE_URL.")
if LIVE_UPDATES == "redis" and not REDIS_URL:
    raise ImproperlyConfigured("LIVE_UPDATES=redis needs REDIS_URL.")
LIVE_REDIS_URL = REDIS_URL
# The NOTIFY channel (or Redis channel): sites sharing a database server or a Redis each
# need their own.
LIVE_CHANNEL = env("LIVE_CHANNEL", default="luma_events")
if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", LIVE_CHANNEL):
    raise ImproperlyConfigured("LIVE_CHANNEL must be lower-case letters, digits and _.")
# Open pages (event streams) one person may have on one web process, and one process holds
# in all; past either, pages check for changes themselves.
LIVE_STREAMS_PER_USER = env.int("LIVE_STREAMS_PER_USER", default=8)
LIVE_STREAMS_PER_PROCESS = env.int("LIVE_STREAMS_PER_PROCESS", default=2000)
# A stream ends after this long and the browser opens a new one (sign-out is re-checked).
LIVE_STREAM_SECONDS = env.int("LIVE_STREAM_SECONDS", default=600)
# A comment line this often keeps proxies from closing a quiet stream.
LIVE_KEEPALIVE_SECONDS = env.float("LIVE_KEEPALIVE_SECONDS", default=15.0)

# --- Background tasks (Django's Tasks framework, via the django-tasks backport)
# Two queues, each with workers of its own: `default` (submissions, the sweep, callback
# deliveries) and `media` (copies of finished videos), so that a slow download can never
# delay a submission.
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "media"],
    }
}
if TASKS["default"]["BACKEND"].startswith("django_tasks_rq."):
    # At scale: tasks in Redis, run by RQ workers (pip install django-tasks-rq; see README).
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    _redis = {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}
    RQ_QUEUES = dict.fromkeys(TASKS["default"]["QUEUES"], _redis)

# --- REST API -----------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous call is a 401 with WWW-Authenticate, not a 403.
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "videos.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "videos.api.errors.exception_handler",
    # Against abuse, not for quota (quota is database state under a lock). `submit` is
    # shared by POST /api/v1/videos/, extend and the gateway's /luma/videos, per user;
    # `token` guards POST /api/v1/auth/token/, per client address.
    "DEFAULT_THROTTLE_RATES": {
        "submit": env("THROTTLE_SUBMIT", default="30/min"),
        "token": env("THROTTLE_TOKEN", default="10/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Luma Studio API",
    "DESCRIPTION": "Make AI videos with Luma through AceDataCloud: generate, extend, lineage.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Video and VideoCreated (the answer to a create, with its variations) share this enum.
    "ENUM_NAME_OVERRIDES": {"AspectRatioEnum": "videos.models.AspectRatio"},
    # The docs page's scripts are served from static/, not a CDN: the site works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Security (production) ----------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    # The callback webhook is exempt from SSL redirects: AceDataCloud posts to
    # whatever PUBLIC_BASE_URL says, and a redirect would drop the body.
    SECURE_REDIRECT_EXEMPT = [r"^webhooks/"]
    # Probes and the metrics scraper talk to gunicorn directly, over plain http.
    SECURE_REDIRECT_EXEMPT += [r"^healthz$", r"^readyz(/web)?$", r"^metrics$"]

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
# The SMTP server that sends password resets in production.
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Luma Studio <noreply@localhost>")

# --- Accounts: who may join, signing in, single sign-on (django-allauth) ------------------
# Who may create an account: `invite` (only through an invitation link), `open`, `closed`
# (no sign-up page: single sign-on and accounts staff create only).
SIGNUP_POLICY = env("SIGNUP_POLICY", default="open" if DEBUG else "invite")
if SIGNUP_POLICY not in ("invite", "open", "closed"):
    raise ImproperlyConfigured("SIGNUP_POLICY must be one of: invite, open, closed.")
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)
# Sign-up without an invitation is limited to these email domains (exact match) when set.
SIGNUP_EMAIL_DOMAINS = [
    d.strip().lower().lstrip("@") for d in env.list("SIGNUP_EMAIL_DOMAINS", default=[]) if d
]
SIGNUP_REQUIRES_APPROVAL = env.bool("SIGNUP_REQUIRES_APPROVAL", default=False)
# `mandatory`: a self-signed-up account confirms its email before it signs in and makes
# videos; `optional`: the confirmation mail is sent, and nothing waits for it.
EMAIL_VERIFICATION = env("EMAIL_VERIFICATION", default="mandatory")
if EMAIL_VERIFICATION not in ("mandatory", "optional"):
    raise ImproperlyConfigured("EMAIL_VERIFICATION must be one of: mandatory, optional.")
# Read once, by the migration accounts.0005 that gives existing users their email addresses.
EXISTING_EMAILS_VERIFIED = env.bool("EXISTING_EMAILS_VERIFIED", default=True)
STAFF_REQUIRE_MFA = env.bool("STAFF_REQUIRE_MFA", default=not DEBUG)
# How many proxies in front of the site append to X-Forwarded-For; 0 ignores the header.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Sign-ups per client address, in allauth's rate format (count/period/per).
THROTTLE_SIGNUP = env("THROTTLE_SIGNUP", default="5/m/ip,20/h/ip")

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm", "signup": "accounts.forms.SignupForm"}
# Sign up with an email address (a username is made from it); sign in with either.
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_EMAIL_VERIFICATION = EMAIL_VERIFICATION
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up, password reset and the resend form answer alike whether an account exists.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Luma Studio: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# allauth's limits (sign-in failures, reset mails, ...) plus ours, counted in the cache.
ACCOUNT_RATE_LIMITS = {"signup": THROTTLE_SIGNUP, "resend_confirmation": "5/m/ip,3/m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Luma Studio"
# Single sign-on never keeps the identity provider's access tokens.
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_AUTO_SIGNUP = True
# An SSO sign-in whose verified email matches an existing account signs in to that account.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True

# Single sign-on through the school's or company's OpenID Connect provider.
OIDC_PROVIDER_NAME = env("OIDC_PROVIDER_NAME", default="Single sign-on")
OIDC_SERVER_URL = env("OIDC_SERVER_URL", default="")
OIDC_CLIENT_ID = env("OIDC_CLIENT_ID", default="")
OIDC_CLIENT_SECRET = env("OIDC_CLIENT_SECRET", default="")
# Let single sign-on create accounts even when SIGNUP_POLICY is `closed` or `invite`.
OIDC_AUTO_SIGNUP = env.bool("OIDC_AUTO_SIGNUP", default=False)
SOCIALACCOUNT_PROVIDERS = {}
if OIDC_SERVER_URL:
    if not (OIDC_CLIENT_ID and OIDC_CLIENT_SECRET):
        raise ImproperlyConfigured("OIDC_SERVER_URL needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET.")
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": "sso",
                "name": OIDC_PROVIDER_NAME,
                "client_id": OIDC_CLIENT_ID,
                "secret": OIDC_CLIENT_SECRET,
                "settings": {"server_url": OIDC_SERVER_URL, "oauth_pkce_enabled": True},
            }
        ],
    }

LOG_LEVEL = env("LOG_LEVEL", default="INFO")
# One line per event: `plain` text for people, `json` (one object per line) for machines.
LOG_FORMAT = env("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be plain or json.")
LOGGING_CONFIG = "videos.log_filters.configure"  # dictConfig, plus Python's warnings
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Both formatters cut callback secrets out of the finished line (tracebacks included).
    "formatters": {
        "plain": {
            "()": "videos.log_filters.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {
            "()": "videos.log_filters.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
        },
    },
    "filters": {"callback_secrets": {"()": "videos.log_filters.RedactCallbackSecrets"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # urllib3 logs request lines at DEBUG; keep it quiet so nothing it
        # might print ever sits next to a credential.
        "urllib3": {"level": "WARNING"},
        # At DEBUG the template engine logs a missing variable with the whole template
        # context, which can hold a just-issued API token (the profile page).
        "django.template": {"level": "INFO"},
        # "Bad Request: /webhooks/acedata/<id>/<secret>/": the path holds a credential.
        "django.request": {"filters": ["callback_secrets"]},
        "django.server": {"filters": ["callback_secrets"]},
    },
}

# --- Operating the site: health, metrics, backups ---------------------------------------
# Request and database metrics (django-prometheus): its middleware around ours, and the
# database engine wrapped to count queries and their time.
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    *MIDDLEWARE,
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django.db.backends.", "django_prometheus.db.backends.", 1
)
# /metrics is open to a Bearer token, or to requests straight from these addresses (CIDR
# allowed; a proxied request never counts). Neither set: closed (the production default).
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"] if DEBUG else [])
# One directory shared by every web and worker process of a machine, so /metrics adds up
# their upstream call counts (prometheus_client's multiprocess mode). Empty: one process.
PROMETHEUS_MULTIPROC_DIR = env("PROMETHEUS_MULTIPROC_DIR", default="")
# A worker not heard from for this long counts as gone (/readyz, /metrics, task cleanup).
WORKER_STALE_SECONDS = env.float(
    "WORKER_STALE_SECONDS", default=max(3 * WORKER_SWEEP_SECONDS, 30.0)
)
# /readyz fails when a queue holds more due tasks than this, or one due for this long.
QUEUE_MAX_DEPTH = env.int("QUEUE_MAX_DEPTH", default=1000)
QUEUE_MAX_WAIT_SECONDS = env.float("QUEUE_MAX_WAIT_SECONDS", default=300.0)
# Where `manage.py backup` writes its folders unless told otherwise.
BACKUP_ROOT = env.path("BACKUP_ROOT", default=BASE_DIR / "backups")
