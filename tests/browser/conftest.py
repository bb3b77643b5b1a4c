"""Browser tests: Chromium and our servers inside a network namespace the test creates."""

from tests.support.chromium import artifacts, chromium  # noqa: F401  (fixtures)
from tests.support.netns import netns  # noqa: F401  (fixture)
