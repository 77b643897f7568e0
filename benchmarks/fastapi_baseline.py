"""The serving benchmark's baseline: a minimal FastAPI + xgboost service on the same model.

It loads the same bundle with the generated project's own `ScoringPipeline` (the same
features, computed as the service computes them, `online_inputs`, and the same booster, one
thread), validates the same request model, and answers the score and decision (or the
prediction); no BentoML, no prediction log, no metrics. The gap between the two is what the
framework and the durable log cost.

    python benchmarks/fastapi_baseline.py PACKAGE BUNDLE_DIR PORT [--model-only]
        (PYTHONPATH=<project>/src)

`--model-only` skips the features: the request is validated and the model predicts a fixed
row, the ladder's first rung (bench_serving.py).
"""

# No `from __future__ import annotations`: FastAPI must see the request model itself, not a
# string naming a local variable, or it takes the body for query parameters.
import importlib
import sys
from pathlib import Path

import numpy as np
import uvicorn
from fastapi import FastAPI


def build_app(package: str, bundle: Path, *, model_only: bool = False) -> FastAPI:
    pipeline = importlib.import_module(f"{package}.core.bundle").ScoringPipeline.load(bundle)
    pipeline.booster.set_param({"nthread": 1})
    spec = pipeline.spec
    request_model = importlib.import_module(f"{package}.core.schema").request_model
    Row = request_model("Row", spec.columns, exclude=(spec.target, *spec.known_after_outcome))
    app = FastAPI()
    # `model_only`: the request is validated, then the model predicts one fixed row of
    # inputs: the framework's and the model's cost, without the features.
    fixed = np.zeros((1, len(spec.feature_names)), dtype=np.float32)

    @app.post("/predict")
    async def predict(row: Row) -> dict:  # type: ignore[valid-type]
        if model_only:
            answered = pipeline.answer_matrix(fixed)
        else:
            typed = pipeline.online.typed(row.model_dump(mode="json", exclude_unset=True))
            answered = pipeline.answer_matrix(pipeline.online_inputs([typed]).matrix)
        if "decision" in answered:  # a binary task: a probability and a decision
            return {"score": float(answered["score"][0]), "decision": str(answered["decision"][0])}
        return {"prediction": float(answered["score"][0])}

    return app


if __name__ == "__main__":
    package, bundle, port = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    app = build_app(package, bundle, model_only="--model-only" in sys.argv[4:])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
