"""The model server (serving/, make serve-model): a real uvicorn process on a loopback port, driven
over HTTP as a client would, including every kind of bad request; nothing left running afterwards."""
from __future__ import annotations

import json
import math

import httpx
import numpy as np
import pytest

import serving
from serving.app import MAX_BATCH, MAX_BODY


@pytest.fixture(scope="module")
def data():
    from sklearn.datasets import load_breast_cancer

    raw = load_breast_cancer()
    names = list(raw.feature_names)
    return names, [{n: float(v) for n, v in zip(names, row)} for row in raw.data], raw.target


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = serving.train_and_export(tmp_path_factory.mktemp("model") / "bundle")
    srv = serving.start_background(folder)
    yield srv
    code = srv.stop()
    assert not srv.running(), "the server process is still running after stop()"
    assert code is not None


def post(server, body=None, *, content=None, headers=None):
    return httpx.post(server.url + "/predict", json=body, content=content, headers=headers, timeout=30)


def test_health(server):
    answer = httpx.get(server.url + "/health").json()
    assert answer["status"] == "ok" and answer["features"] == 30


def test_one_record_and_a_batch_agree_with_the_labels(server, data):
    names, records, labels = data
    one = post(server, {"features": records[0]})
    assert one.status_code == 200
    batch = post(server, {"records": records[:100]})
    assert batch.status_code == 200
    answers = batch.json()["predictions"]
    assert len(answers) == 100
    single = one.json()["predictions"][0]
    assert answers[0]["class"] == single["class"]  # a batch and one record: the same up to float32 rounding
    assert answers[0]["probability_benign"] == pytest.approx(single["probability_benign"], rel=1e-4, abs=1e-7)
    predicted = np.array([a["class"] == "benign" for a in answers])
    assert (predicted == (labels[:100] == 1)).mean() > 0.9  # these records include training data
    for a in answers:
        assert 0.0 <= a["probability_benign"] <= 1.0 and (a["probability_benign"] > 0.5) == (a["class"] == "benign")


@pytest.mark.parametrize("case,body,status,field", [
    ("missing feature", lambda r: {"features": {k: v for k, v in r.items() if k != "mean area"}}, 422,
     "mean area"),
    ("extra feature", lambda r: {"features": {**r, "colour": 1.0}}, 422, "colour"),
    ("string value", lambda r: {"features": {**r, "mean texture": "high"}}, 422, "mean texture"),
    ("bool value", lambda r: {"features": {**r, "mean texture": True}}, 422, "mean texture"),
    ("null value", lambda r: {"features": {**r, "mean texture": None}}, 422, "mean texture"),
    ("empty batch", lambda r: {"records": []}, 422, "records"),
    ("records not a list", lambda r: {"records": r}, 422, "records"),
    ("bad record in a batch", lambda r: {"records": [r, {**r, "worst area": "x"}]}, 422, "records[1]"),
    ("neither key", lambda r: {"rows": [r]}, 422, "features"),
    ("batch over the limit", lambda r: {"records": [r] * (MAX_BATCH + 1)}, 413, "records"),
])
def test_bad_requests_get_a_4xx_naming_the_field(server, data, case, body, status, field):
    answer = post(server, body(data[1][0]))
    assert answer.status_code == status, (case, answer.text)
    assert field in answer.json()["detail"], (case, answer.json())


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(server, data, literal):
    text = json.dumps({"features": {**data[1][0], "mean radius": 0.5}}).replace("0.5", literal, 1)
    answer = post(server, content=text.encode(), headers={"content-type": "application/json"})
    assert answer.status_code == 422 and literal.lstrip("-") in answer.json()["detail"]


def test_malformed_json_and_huge_bodies(server, data):
    answer = post(server, content=b'{"features": {"mean radius": 1', headers={"content-type": "application/json"})
    assert answer.status_code == 400 and "JSON" in answer.json()["detail"]
    huge = b'{"records": [' + b" " * (MAX_BODY + 10) + b"]}"
    answer = post(server, content=huge, headers={"content-type": "application/json"})
    assert answer.status_code == 413
    # ... and without a Content-Length header (a chunked upload), the limit still holds.
    def chunks():
        for _ in range(5):
            yield b" " * (MAX_BODY // 4)
    answer = httpx.post(server.url + "/predict", content=chunks(), timeout=30)
    assert answer.status_code == 413
    assert post(server, {"features": data[1][0]}).status_code == 200  # still serving


def test_far_out_values_are_answered_flagged_and_counted(server, data):
    before = _metric(server, "out_of_range_records_total")
    record = {**data[1][5], "worst perimeter": 1e6}
    answer = post(server, {"records": [data[1][5], record]})
    assert answer.status_code == 200
    first, second = answer.json()["predictions"]
    assert first["out_of_range"] == [] and second["out_of_range"] == ["worst perimeter"]
    assert _metric(server, "out_of_range_records_total") == before + 1


def test_metrics_count_requests_classes_and_latency(server, data):
    before = _metric(server, 'requests_total{endpoint="/predict",status="200"}')
    classes_before = sum(_metric(server, f'predictions_total{{predicted_class="{c}"}}')
                         for c in ("benign", "malignant"))
    post(server, {"records": data[1][:7]})
    assert _metric(server, 'requests_total{endpoint="/predict",status="200"}') == before + 1
    classes_after = sum(_metric(server, f'predictions_total{{predicted_class="{c}"}}') for c in ("benign", "malignant"))
    assert classes_after == classes_before + 7
    assert _metric(server, 'request_latency_seconds_count{endpoint="/predict"}') >= before + 1


def _metric(server, name: str) -> float:
    """The value of one series of /metrics (0 if the series has not appeared yet)."""
    text = httpx.get(server.url + "/metrics").text
    for line in text.splitlines():
        if line.split(" ")[0] == name:
            value = float(line.split(" ")[1])
            assert math.isfinite(value)
            return value
    return 0.0
