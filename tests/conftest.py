"""Suite-wide settings.

Every app and server started by the tests shares one classifier cache for the session, as
one installation shares its data directory's cache across restarts: the cache is keyed by
exactly what a model is trained from, so sharing it changes no result, only how often the
same phrases are trained on. Tests of the cache itself pass their own directory.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("SWITCHBOARD_CACHE_DIR", tempfile.mkdtemp(prefix="switchboard-test-cache-"))
