"""The serving benchmark's baseline: a minimal FastAPI + xgboost service on the same model.

It loads the same bundle with the generated project's own `ScoringPipeline` (the same
features, computed as the service computes them, `online_inputs`, and the same booster, one
thread), validates the same request model, and answers the score and decision (or the
prediction), with the top factors where the project's configuration asks for them
(`serving.top_factors`, read from config/pipeline.yaml in the working directory, as the
service answers them); no BentoML, no prediction log, no metrics. The gap between the two
is what the framework and the durable log cost.

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
    config = importlib.import_module(f"{package}.config").load_config("config/pipeline.yaml")
    top_factors = 0 if model_only else config.serving.top_factors

    @app.post("/predict")
    async def predict(row: Row) -> dict:  # type: ignore[valid-type]
        if model_only:
            answered = pipeline.answer_matrix(fixed)
        else:
            typed = pipeline.online.typed(row.model_dump(mode="json", exclude_unset=True))
            matrix = pipeline.online_inputs([typed]).matrix
            answered = pipeline.answer_matrix(matrix)
        factors = pipeline.factors_of_matrix(matrix, top_factors)[0] if top_factors else None
        if "decision" in answered:  # a binary task: a probability and a decision
            answer = {
                "score": float(answered["score"][0]),
                "decision": str(answered["decision"][0]),
            }
        else:
            answer = {"prediction": float(answered["score"][0])}
        return answer if factors is None else {**answer, "factors": factors}

    return app


if __name__ == "__main__":
    package, bundle, port = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    app = build_app(package, bundle, model_only="--model-only" in sys.argv[4:])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
