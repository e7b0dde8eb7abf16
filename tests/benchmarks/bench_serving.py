"""Latency and throughput of the model server (make bench): a real uvicorn process on 127.0.0.1.

Prints p50/p95 of one-record requests and of 100-record batches, requests per second with 8
concurrent clients, and, beside each, two in-process baselines on the same inputs: Keras's
``model.predict`` (what a notebook calls; it builds a data pipeline on every call) and the compiled
call the server itself runs (``tf.function`` around the model), with the ratios HTTP / in-process. Measure on a quiet machine: other load inflates every figure.
"""
from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import helpers  # noqa: E402

helpers.setup()

import httpx  # noqa: E402
import numpy as np  # noqa: E402

import serving  # noqa: E402


def percentiles(times):
    return np.percentile(times, 50) * 1e3, np.percentile(times, 95) * 1e3


def main(repeats: int = 200, clients: int = 8, concurrent_requests: int = 400) -> None:
    from sklearn.datasets import load_breast_cancer

    raw = load_breast_cancer()
    names = list(raw.feature_names)
    records = [{n: float(v) for n, v in zip(names, row)} for row in raw.data]
    x = raw.data.astype(np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        folder = serving.train_and_export(Path(tmp) / "bundle")
        model, _ = serving.load_bundle(folder)
        import tensorflow as tf

        compiled = tf.function(lambda v: model(v, training=False),
                               input_signature=[tf.TensorSpec([None, x.shape[1]], tf.float32)])
        with serving.start_background(folder) as server, httpx.Client(base_url=server.url, timeout=30) as client:
            rows = []
            for label, body, xs in (("1 record", lambda i: {"features": records[i % len(records)]},
                                     lambda i: x[i % len(x)][None]),
                                    ("100-record batch", lambda i: {"records": records[:100]}, lambda i: x[:100])):
                for i in range(10):  # warm-up
                    client.post("/predict", json=body(i))
                    model.predict(xs(i), verbose=0)
                    compiled(xs(i)).numpy()
                http, local, direct = [], [], []
                for i in range(repeats):
                    start = time.perf_counter()
                    assert client.post("/predict", json=body(i)).status_code == 200
                    http.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    model.predict(xs(i), verbose=0)
                    local.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    compiled(xs(i)).numpy()
                    direct.append(time.perf_counter() - start)
                rows.append((label, *percentiles(http), *percentiles(local), *percentiles(direct)))

            async def load():
                async with httpx.AsyncClient(base_url=server.url, timeout=30) as aclient:
                    queue = list(range(concurrent_requests))

                    async def worker():
                        while queue:
                            i = queue.pop()
                            r = await aclient.post("/predict", json={"features": records[i % len(records)]})
                            assert r.status_code == 200

                    start = time.perf_counter()
                    await asyncio.gather(*(worker() for _ in range(clients)))
                    return concurrent_requests / (time.perf_counter() - start)

            rps = asyncio.run(load())
            start = time.perf_counter()
            for i in range(concurrent_requests):
                compiled(x[i % len(x)][None]).numpy()
            local_rps = concurrent_requests / (time.perf_counter() - start)

    print(f"Model server (serving/, uvicorn on 127.0.0.1), {repeats} requests each:")
    print(f"{'request':17s} {'HTTP p50/p95':>16s} {'model.predict p50/p95':>22s} {'compiled call p50/p95':>22s}"
          f" {'HTTP/predict':>13s} {'HTTP/compiled':>14s}")
    for label, h50, h95, l50, l95, c50, c95 in rows:
        print(f"{label:17s} {h50:7.2f} /{h95:6.2f} ms {l50:11.2f} /{l95:7.2f} ms {c50:11.2f} /{c95:7.2f} ms"
              f" {h50 / l50:12.2f}x {h50 / c50:13.1f}x")
    print(f"{clients} concurrent clients, one record each: {rps:.0f} requests/s over HTTP; the compiled call in "
          f"process, one record at a time: {local_rps:.0f} calls/s (HTTP reaches {rps / local_rps:.2f} of it)")


if __name__ == "__main__":
    main(repeats=20 if "--quick" in sys.argv else 200)
