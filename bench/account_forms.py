"""How long the account forms take to answer, for an address with an account and without.

No account enumeration (README, Who may join): sign-up, password reset and "send the link
again" answer the same page whether or not an account uses the address, and should take
about as long, or the time would tell. Each form is posted to the production stack with a
fresh address per request (as someone probing addresses would), alternating the branches,
one request at a time; the answer's status and redirect are compared too.

    .venv/bin/python bench/account_forms.py [--quick]
"""

import re
import statistics
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

MARK = "<!-- accounts -->"
PASSWORD = "a-long-unusual-passphrase-42"  # noqa: S105 - the benchmark's own accounts
# p50 of the slower branch over the faster, per form; above this the time would tell.
TARGET = 1.25


def _people(count: int) -> dict[str, list[str]]:
    """Addresses for each branch: taken and confirmed, taken and unconfirmed, unknown."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    User = get_user_model()
    password = make_password(PASSWORD)
    made = {}
    for kind, verified in (("confirmed", True), ("unconfirmed", False)):
        emails = [f"{kind}{n}@example.com" for n in range(count)]
        users = User.objects.bulk_create(
            [User(username=f"{kind}{n}", email=e, password=password) for n, e in enumerate(emails)]
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=verified, primary=True) for u in users]
        )
        made[kind] = emails
    made["unknown"] = [f"nobody{n}@example.com" for n in range(count)]
    made["new"] = [f"newcomer{n}@example.com" for n in range(count)]
    return made


def _post(site: str, path: str, data: dict) -> tuple[float, tuple]:
    """GET the form, POST it as a browser would; return the POST's seconds and its answer."""
    page = requests.get(site + path, timeout=30)
    cookie = re.search(r"csrftoken=([^;]+)", page.headers["Set-Cookie"]).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    started = time.perf_counter()
    answer = requests.post(
        site + path,
        {"csrfmiddlewaretoken": token, **data},
        headers={"Cookie": f"csrftoken={cookie}"},
        allow_redirects=False,
        timeout=60,
    )
    seconds = time.perf_counter() - started
    return seconds, (answer.status_code, answer.headers.get("Location"))


FORMS = {
    "sign-up": (
        "/accounts/signup/",
        {"taken address": "confirmed", "new address": "new"},
        lambda email: {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    ),
    "password reset": (
        "/accounts/password/reset/",
        {"account": "confirmed", "no account": "unknown"},
        lambda email: {"email": email},
    ),
    "send the link again": (
        "/accounts/confirm-email/again/",
        {"unconfirmed": "unconfirmed", "confirmed": "confirmed", "no account": "unknown"},
        lambda email: {"email": email},
    ),
}


def run(stack, quick: bool):
    samples = {"sign-up": 6 if quick else 15, "password reset": 20 if quick else 60}
    samples["send the link again"] = samples["password reset"]
    people = _people(max(samples.values()))
    results = {}
    for form, (path, branches, body) in FORMS.items():
        times = {branch: [] for branch in branches}
        answers = {branch: set() for branch in branches}
        for n in range(samples[form]):
            for branch, kind in branches.items():
                seconds, answer = _post(stack.url, path, body(people[kind][n]))
                times[branch].append(seconds * 1000)
                answers[branch].add(answer)
        results[form] = (times, answers)
    return _table(results), _rows(results)


def _ratio(times: dict) -> float:
    medians = [statistics.median(t) for t in times.values()]
    return max(medians) / min(medians)


def _table(results) -> str:
    lines = [
        "## Account forms: the same answer, in about the same time",
        "",
        f"`bench/account_forms.py`. Each form posted one request at a time, a fresh address each, "
        f"branches alternating. Target: the slower branch's p50 within {TARGET}x of the "
        "faster's, and the same answer (status, redirect).",
        "",
        "| form | branch | requests | p50 (ms) | p90 (ms) | answers |",
        "|---|---|---:|---:|---:|---|",
    ]
    for form, (times, answers) in results.items():
        for branch, values in times.items():
            ordered = sorted(values)
            p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
            shown = ", ".join(f"{s} {loc or ''}".strip() for s, loc in sorted(answers[branch]))
            lines.append(
                f"| {form} | {branch} | {len(values)} | {statistics.median(values):.1f} | "
                f"{p90:.1f} | {shown} |"
            )
    lines += ["", "| form | p50 slower / faster | same answers | result |", "|---|---:|---|---|"]
    for form, (times, answers) in results.items():
        ratio = _ratio(times)
        same = len({frozenset(a) for a in answers.values()}) == 1
        met = "met" if ratio <= TARGET and same else "**missed**"
        lines.append(f"| {form} | {ratio:.2f}x | {'yes' if same else 'no'} | {met} |")
    return "\n".join(lines)


def _rows(results) -> list[tuple]:
    rows = []
    for form, (times, answers) in results.items():
        ratio = _ratio(times)
        same = len({frozenset(a) for a in answers.values()}) == 1
        rows.append(
            (f"{form}: answer time, account vs none", f"{ratio:.2f}x", f"≤ {TARGET}x, same answer",
             ratio <= TARGET and same)
        )  # fmt: skip
    return rows


if __name__ == "__main__":
    harness.main(run, MARK)
