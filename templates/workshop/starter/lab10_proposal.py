"""Lab 10, collaboration: the model proposal a reviewer reads.

Your task: `proposal` below writes the description of the pull request that proposes your
model for production, from `reports/evaluation/evaluation.json`. A reviewer must be able to
decide from it alone, without rerunning anything. The draft says too little: run
`make check LAB=10`, read labs/10-collaboration.md, and complete it. `make proposal` prints
it for your own evaluation.
"""

from __future__ import annotations

from typing import Any


def proposal(evaluation: dict[str, Any], author: str, headline: str) -> str:
    """The Markdown description of a pull request proposing the evaluated model.

    `evaluation` is the content of reports/evaluation/evaluation.json; `headline` the metric
    the use case is judged by. Figures are written with 4 decimals.
    """
    model = evaluation["scorecards"]["model"][headline]
    # TODO(lab 10): would you approve a model from this line alone?
    return f"# A new model, by {author}\n\n{headline}: {model:.4f}\n"
