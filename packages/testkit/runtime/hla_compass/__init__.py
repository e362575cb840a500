"""hla_compass for test images: the SDK's Module base class, in small.

The platform's runtime image (ghcr.io/alitheabio/hla-compass-python) cannot be pulled where the
tests run, so the testkit builds one from this machine's Python with this package inside. Like
the SDK's Module, run() calls execute(), wraps its return in the runtime's result shape, turns
an exception into {"status": "error", ...}, and without offline mode (HLA_COMPASS_OFFLINE=1, or
context["offline"]) needs credentials (HLA_API_KEY or HLA_ACCESS_TOKEN).
"""

import os
import time

__all__ = ["Module", "ModuleError"]


class ModuleError(Exception):
    """An error the module reports on purpose, with the runtime's error type."""

    def __init__(self, message, error_type="module_error", details=None):
        super().__init__(message)
        self.error_type = error_type
        self.details = details or {}


class Module:
    def execute(self, input_data, context):
        raise NotImplementedError("a module implements execute(input_data, context)")

    def run(self, input_data, context):
        started = time.time()
        offline = os.environ.get("HLA_COMPASS_OFFLINE") == "1" or bool(context.get("offline"))
        credentials = os.environ.get("HLA_API_KEY") or os.environ.get("HLA_ACCESS_TOKEN")
        if not offline and not credentials:
            return self._error(
                "internal_error",
                "No HLA-Compass API credentials available. Set HLA_API_KEY or run "
                "'hla-compass auth login' before executing modules.",
                started,
            )
        try:
            returned = self.execute(input_data, context)
        except ModuleError as error:
            return self._error(error.error_type, str(error), started, error.details)
        except Exception as error:  # noqa: BLE001 - the runtime reports any failure of execute
            return self._error("module_error", str(error) or type(error).__name__, started)
        if isinstance(returned, dict) and "status" in returned:
            result = dict(returned)
        else:
            result = {"status": "success", "results": returned, "summary": {}}
        result.setdefault("metadata", self._metadata(started))
        return result

    def _error(self, error_type, message, started, details=None):
        return {
            "status": "error",
            "error": {"type": error_type, "message": message, "details": details or {}},
            "metadata": self._metadata(started),
        }

    def _metadata(self, started):
        elapsed = time.time() - started
        return {
            "module": type(self).__name__,
            "version": os.environ.get("HLA_COMPASS_MODULE_VERSION", "0.0.0"),
            "execution_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "duration_seconds": round(elapsed, 3),
        }
