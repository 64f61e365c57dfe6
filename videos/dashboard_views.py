"""The operator's dashboard (staff only, linked from the admin) and its CSV export."""

import csv
from functools import wraps

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts import mfa
from accounts.middleware import MESSAGE as MFA_MESSAGE

from . import dashboard

# A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) is prefixed with a
# quote: names are typed by people, and a CSV is opened by someone else.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 500


def staff_only(view):
    """Staff, signed in as the admin wants them: with an authenticator app when
    STAFF_REQUIRE_MFA is on (these pages sit beside the admin, not under it)."""

    @wraps(view)
    @staff_member_required
    def wrapped(request, *args, **kwargs):
        if mfa.staff_must_set_up(request.user):
            messages.warning(request, MFA_MESSAGE)
            return redirect("mfa_activate_totp")
        return view(request, *args, **kwargs)

    return wrapped


def _range(request) -> int:
    try:
        days = int(request.GET.get("days", dashboard.RANGES[0]))
    except ValueError:
        days = dashboard.RANGES[0]
    return days if days in dashboard.RANGES else dashboard.RANGES[0]


@staff_only
def usage_dashboard(request):
    board = dashboard.build(_range(request))
    return render(request, "videos/dashboard.html", {"board": board, "ranges": dashboard.RANGES})


class _Echo:
    def write(self, value):
        return value


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@staff_only
def usage_export(request):
    days = _range(request)
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(
            [
                "created",
                "user",
                "team",
                "action",
                "state",
                "seconds_to_complete",
                "charged",
                "released",
            ]
        )
        block = []
        for created, user, team, action, state, seconds, charged, released in dashboard.export_rows(
            days
        ):
            block.append(
                writer.writerow(
                    [
                        timezone.localtime(created).isoformat(),
                        _cell(user),
                        _cell(team),
                        action,
                        state,
                        "" if seconds is None or state != "completed" else f"{seconds:.1f}",
                        int(charged),
                        int(released),
                    ]
                )
            )
            if len(block) == ROWS_PER_CHUNK:  # one write per block, not one per row
                yield "".join(block)
                block = []
        if block:
            yield "".join(block)

    stamp = timezone.localdate().isoformat()
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="usage-{days}d-{stamp}.csv"'
    return response
