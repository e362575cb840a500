"""The runtime's module runner (python-sdk.md §6.3) for test images: reads the payload and the
context, loads HLA_COMPASS_MODULE, runs it and writes the result to HLA_COMPASS_OUTPUT (and its
summary to HLA_COMPASS_SUMMARY). A failure outside the module's run writes a runtime_error result
and exits 1, as the platform's runner does. Local paths only: no URL or s3:// references.
"""

import importlib
import json
import os
import sys
import traceback

LOCAL_CONTEXT = {
    "run_id": "local",
    "job_id": "local",
    "module_id": "local-module",
    "module_version": "0.0.0",
    "user_id": "local",
    "organization_id": "local",
    "roles": ["developer"],
    "correlation_id": "local-run",
    "tier": "foundational",
}


def read_json(path, default):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return default


def write_json(path, value):
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=2)
        handle.write("\n")


def load_module_class(target):
    module_path, _, class_name = target.partition(":")
    if not module_path or not class_name:
        raise ValueError("HLA_COMPASS_MODULE must be in format '<module_path>:<class_name>'")
    found = getattr(importlib.import_module(module_path), class_name, None)
    if found is None:
        raise ValueError(f"Module class '{class_name}' not found in '{module_path}'")
    from hla_compass import Module

    if not (isinstance(found, type) and issubclass(found, Module)):
        raise TypeError("Configured class does not inherit from Module")
    return found


def main():
    output = os.environ.get("HLA_COMPASS_OUTPUT", "/var/output.json")
    summary = os.environ.get("HLA_COMPASS_SUMMARY", "/var/summary.json")
    try:
        payload = read_json(os.environ.get("HLA_COMPASS_PAYLOAD", "/var/input.json"), {})
        if not isinstance(payload, dict):
            raise ValueError("the payload must be a JSON object")
        context = dict(LOCAL_CONTEXT)
        context["environment"] = os.environ.get("HLA_COMPASS_ENV", "local")
        context["mode"] = os.environ.get("HLA_COMPASS_RUN_MODE", "async")
        context.update(read_json(os.environ.get("HLA_COMPASS_CONTEXT", "/var/context.json"), {}))
        module_class = load_module_class(os.environ.get("HLA_COMPASS_MODULE", ""))
        result = module_class().run(payload, context)
    except Exception as error:  # noqa: BLE001 - every failure becomes the runtime's error result
        traceback.print_exc()
        write_json(
            output,
            {
                "status": "error",
                "error": {
                    "type": "runtime_error",
                    "message": str(error) or type(error).__name__,
                    "traceback": traceback.format_exc(),
                },
            },
        )
        return 1
    write_json(output, result)
    write_json(summary, result.get("summary") or {} if isinstance(result, dict) else {})
    return 0


if __name__ == "__main__":
    sys.exit(main())
