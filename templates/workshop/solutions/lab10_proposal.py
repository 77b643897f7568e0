"""Lab 10, collaboration: the model proposal a reviewer reads (reference solution).

`proposal` writes the description of the pull request that proposes a model for production,
from `reports/evaluation/evaluation.json`: which version, whether the gate passed and which
checks failed, and the headline metric beside every rival's (the baseline, the serving
champion, the oracle) with the model's interval, so that a reviewer can decide from it
alone. `make proposal` prints it for your own evaluation.
"""

from __future__ import annotations

from typing import Any

RIVALS = ("model", "champion", "baseline", "oracle")


def proposal(evaluation: dict[str, Any], author: str, headline: str) -> str:
    """The Markdown description of a pull request proposing the evaluated model.

    `evaluation` is the content of reports/evaluation/evaluation.json; `headline` the metric
    the use case is judged by. Figures are written with 4 decimals.
    """
    version = evaluation.get("registered_as") or "not registered (the gate refused it)"
    gate = evaluation["gate"]
    lines = [
        f"# Proposal: {version}, by {author}",
        "",
        f"Gate: {'passed' if gate['passed'] else 'failed'}",
    ]
    failed = [check for check in gate["checks"] if not check["passed"]]
    lines += [f"- failed: {c['name']}: {c['value']:.4f} (limit {c['limit']:.4f})" for c in failed]
    lines += ["", f"| {headline} | value | 95% interval |", "|---|---|---|"]
    cards, intervals = evaluation["scorecards"], evaluation.get("intervals", {})
    for rival in RIVALS:
        if rival in cards and cards[rival].get(headline) is not None:
            low_high = intervals.get(rival, {}).get(headline)
            interval = f"[{low_high[0]:.4f}, {low_high[1]:.4f}]" if low_high else ""
            lines.append(f"| {rival} | {cards[rival][headline]:.4f} | {interval} |")
    lines += [
        "",
        f"On {evaluation['test_rows']:,} held-out rows. The full report: "
        "[evaluation.md](evaluation.md); the model card: [card/model_card.md](card/model_card.md).",
    ]
    return "\n".join(lines) + "\n"
