"""Settings for engine processes started by tests: the real ones, unthrottled."""

from pbnsync.settings import *  # noqa: F403

PMS_REQUEST_INTERVAL_MS = 0  # the test simulator is not paced
SYNC_BACKOFF_BASE_SECONDS = 0.1
SYNC_BACKOFF_CAP_SECONDS = 0.5
Q_CLUSTER = {**Q_CLUSTER, "workers": 2, "poll": 0.1}  # noqa: F405
