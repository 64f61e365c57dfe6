import pytest

from accounts.models import Preferences
from tests.conftest import logged_in


def choose(user, language="", time_zone=""):
    Preferences.objects.update_or_create(
        user=user, defaults={"language": language, "time_zone": time_zone}
    )


@pytest.fixture
def chinese_reader(owner):
    """The owner, who chose Simplified Chinese on their profile, signed in."""
    choose(owner, "zh-hans")
    return logged_in(owner)
