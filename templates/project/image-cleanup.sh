#!/bin/sh
# Run by `bentoml containerize` (bentofile.yaml, docker.setup_script) once the Python packages
# are installed. BentoML 1.4 images always install build-essential and git first, in case a
# package must be built from source or fetched from a git repository; no bentofile option
# leaves them out. requirements-image.lock installs wheels from the package index only, so
# nothing needs them: remove them, so that the running image holds no compiler and no git.
set -eu
apt-get purge --yes --auto-remove build-essential git
rm -rf /var/lib/apt/lists/*
