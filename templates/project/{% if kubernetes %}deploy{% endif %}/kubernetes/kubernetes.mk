# The targets of deploy/kubernetes/, included by the Makefile (`-include`): a project without
# the folder has no such file and no such targets.

# The scheduled job's image: tagged with the commit it is built from (`dev` outside git).
JOBS_TAG ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo dev)

.PHONY: jobs-image
jobs-image:  ## The scheduled job's image (deploy/kubernetes/jobs/), IMAGE-jobs:JOBS_TAG (Docker)
	@command -v docker >/dev/null || { echo "make jobs-image needs Docker: none here"; exit 1; }
	@test -d .bentoml/models || { echo "no registry to build in: run \`make pipeline\` first"; exit 1; }
	DOCKER_BUILDKIT=1 docker build -f deploy/kubernetes/jobs/Dockerfile -t $(IMAGE)-jobs:$(JOBS_TAG) .
