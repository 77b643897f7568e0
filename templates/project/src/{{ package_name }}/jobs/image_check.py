"""Does the service's image serve? Started with Docker, sent the project's example request.

`make image` builds an image of the champion (adapters/image.py); this starts it on a free
port (of 127.0.0.1, or of the daemon's host with Docker-in-Docker), waits for /readyz, sends
it the canary requests of the infra validation (`infra_validation.canaries`,
examples/request.json by default), dated where the model's data ends as `infra-validate`
dates them, requires a 200 for each, and removes the container. Where Docker does not
answer, it says so and does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..adapters import image, registry
from ..config import Config
from ..core.bundle import ScoringPipeline
from .infra_validate import read_canaries


@dataclass(frozen=True)
class ImageCheck:
    reference: str
    # The model version the image serves (None: an image that does not say).
    model: str | None
    answers: list[tuple[str, dict[str, Any]]]


def check_image(config: Config, reference: str | None = None) -> ImageCheck:
    """Start image `reference` (default: the one `make image` built of the champion), send it
    the canaries, return its answers; ImageError when it does not serve them."""
    image.require_docker("image-check")
    if reference is None:
        model: str | None = registry.resolve(config)
        reference = image.built_image(config, model)
    else:
        model = image.image_model(reference)
    canaries = read_canaries(config, _registered(config, model), None)
    return ImageCheck(reference, model, image.run_image(reference, canaries))


def _registered(config: Config, model: str | None) -> ScoringPipeline | None:
    """The image's model version, if this project's store holds it (to date the canaries)."""
    if model is None:
        return None
    try:
        tag = registry.resolve(config, model)
    except registry.RegistryError:
        return None  # an image of a model registered elsewhere: the canaries as written
    return registry.load(config, tag)
