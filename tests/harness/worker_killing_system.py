"""A system that ends the process running it as it starts (``os._exit``), as a segfault or an abort
in a real system would: on a Dask worker, the worker dies under the seed on every try.

It ends only a Dask worker's process: anywhere else (a probe in the driver, a test calling it by
mistake) its start raises instead, so it can never end the test run itself."""

from __future__ import annotations

import os
from typing import Any

from system_under_test import AudioSystem

#: the exit status the worker dies with
EXIT_STATUS = 70


class EndsItsWorker(AudioSystem):
    def start(self, *a: Any, **kw: Any) -> Any:
        try:
            from distributed import get_worker

            get_worker()
        except ValueError:
            raise RuntimeError("EndsItsWorker ends only a Dask worker's process") from None
        os._exit(EXIT_STATUS)
