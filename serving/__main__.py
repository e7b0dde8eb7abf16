"""``python -m serving --model DIR [--host 127.0.0.1] [--port 8100] [--export-if-missing]``.

Serves the bundle in DIR with uvicorn until Ctrl-C (or SIGTERM), then exits cleanly.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m serving", description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="folder with model.keras and meta.json")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--export-if-missing", action="store_true",
                        help="train and export the worked example's network into --model if it has no model")
    args = parser.parse_args(argv)

    import helpers  # noqa: F401  (quiets TensorFlow before anything imports it)
    from helpers.runtime import import_tensorflow

    import_tensorflow()
    import uvicorn

    from .app import create_app
    from .bundle import train_and_export

    if not (args.model / "model.keras").is_file():
        if not args.export_if_missing:
            print(f"{args.model} holds no model.keras: pass --export-if-missing, or export one with "
                  "serving.export_bundle", file=sys.stderr)
            return 2
        print(f"serving: training and exporting the worked example's tuned network into {args.model} ...", flush=True)
        train_and_export(args.model)
    app = create_app(args.model)
    print(f"serving {args.model} on http://{args.host}:{args.port}  (POST /predict, GET /health, GET /metrics; "
          "Ctrl-C stops)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
