# incident.ops: build and test entry points. The work is done by tests/ci/pipeline.sh,
# which runs every step on a temporary copy of the collection laid out as
# <tmp>/ansible_collections/incident/ops.
#
#   make test         everything below in one go, with a summary (what CI runs)
#   make demo         run playbooks/demo.yml twice against the bundled simulators
#   make reliability  run the fault matrix and write docs/reliability.md from it (make units checks it)
#
#   make venv         .venv (Python 3.11, tests/requirements.txt) and .venv-2.21
#                     (Python 3.12 with ansible-core 2.21, when a working 3.12 exists)
#   make sanity       ansible-test sanity on ansible-core 2.19/Python 3.11 and 2.21/Python 3.12
#   make lint         ansible-lint (production profile, see .ansible-lint)
#   make units        pytest: tests/unit and tests/simulators/tests
#   make awx          AWX readiness: ansible-builder, credential types, ansible-runner jobs
#   make hardening    real playbooks: no secret in -vvvv output; ten forks converging the same objects at once
#   make integration  ansible-test integration against the simulators (TARGETS="pd_team pd_user" runs only those)
#   make build        build dist/incident-ops-<version>.tar.gz, install it offline in a scratch
#                     folder and ansible-doc every module (dist/ is git-ignored)
#   make install      make build, then install the tarball where ansible-doc and ansible-playbook
#                     find it: the first folder of Ansible's collections path (~/.ansible/collections
#                     unless configured), or COLLECTIONS_PATH=DIR
#   make docs         the documentation site (modules, roles, plugins, guides) in build/docs/html
#   make simulators   run the simulators in the foreground (SIM_BASE_PORT=N to pick ports)
#   make bench-simulators  simple GETs per second on each simulator (BENCH_SECONDS=N each)
#   make bench        incident.ops against community.general and the per-task floor: docs/performance.md
#                     (not part of make test; BENCH_QUICK=1 for a reduced pass, BENCH_ONLY=rerun,startup,...)
#   make clean        remove the virtual environments and test output
#
# Variables: PYTHON (for .venv, default python3), KEEP_WORK=1 keeps the temporary copy, TARGETS (integration),
# COLLECTIONS_PATH (install).

SHELL := /bin/bash
PIPELINE := tests/ci/pipeline.sh
PYTHON ?= python3

export PYTHON

.DEFAULT_GOAL := help

.PHONY: help test demo reliability venv sanity lint units awx hardening integration build install docs simulators bench-simulators bench clean

help:
	@sed -n '1,/^$$/p' Makefile | sed -n 's/^# \{0,1\}//p'

test:
	@bash $(PIPELINE) test

demo:
	@bash $(PIPELINE) demo

reliability:
	@bash $(PIPELINE) reliability

venv:
	@bash $(PIPELINE) venv

sanity:
	@bash $(PIPELINE) sanity

lint:
	@bash $(PIPELINE) lint

units:
	@bash $(PIPELINE) units

awx:
	@bash $(PIPELINE) awx

hardening:
	@bash $(PIPELINE) hardening

integration:
	@bash $(PIPELINE) integration

build:
	@bash $(PIPELINE) build

install:
	@bash $(PIPELINE) install

docs:
	@bash $(PIPELINE) docs

simulators:
	@bash $(PIPELINE) simulators

bench-simulators:
	@bash $(PIPELINE) bench-simulators

bench:
	@bash $(PIPELINE) bench

clean:
	@bash $(PIPELINE) clean
