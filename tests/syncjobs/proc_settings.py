"""Settings for engine processes started by tests: the real ones, unthrottled."""

import os

from pbnsync.settings import *  # noqa: F403

PMS_REQUEST_INTERVAL_MS = 0  # the test simulator is not paced
SYNC_BACKOFF_BASE_SECONDS = 0.1
SYNC_BACKOFF_CAP_SECONDS = 0.5
Q_CLUSTER = {**Q_CLUSTER, "workers": 2, "poll": 0.1}  # noqa: F405
# Nodes of one test share a queue name of their own, so no other cluster on this
# machine (or on a shared Redis) takes their tasks.
Q_CLUSTER["name"] = os.environ.get("Q_CLUSTER_NAME", Q_CLUSTER["name"])
