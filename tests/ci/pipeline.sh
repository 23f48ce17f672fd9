#!/usr/bin/env bash
# Build and test pipeline of the incident.ops collection. The Makefile's targets call it:
#
#   tests/ci/pipeline.sh venv         create .venv (and .venv-2.21 where Python 3.12 works)
#   tests/ci/pipeline.sh test         every step below, then a summary
#   tests/ci/pipeline.sh sanity       ansible-test sanity on ansible-core 2.19 and 2.21
#   tests/ci/pipeline.sh lint         ansible-lint, production profile
#   tests/ci/pipeline.sh units        pytest: tests/unit and tests/simulators/tests
#   tests/ci/pipeline.sh awx          AWX readiness: execution environment, credential types, ansible-runner
#   tests/ci/pipeline.sh hardening    playbooks at -vvvv leak no secret; ten forks converge the same objects once
#   tests/ci/pipeline.sh integration  ansible-test integration against the simulators (TARGETS="a b" picks targets)
#   tests/ci/pipeline.sh build        build dist/<namespace>-<name>-<version>.tar.gz, install it offline
#                                     in a scratch folder, ansible-doc every module
#   tests/ci/pipeline.sh install      build, then install the tarball on the collections path
#                                     (COLLECTIONS_PATH=DIR picks the folder)
#   tests/ci/pipeline.sh docs         the documentation site, in build/docs/html (warnings fail)
#   tests/ci/pipeline.sh demo         playbooks/demo.yml twice against the simulators
#   tests/ci/pipeline.sh reliability  run the fault matrix and write docs/reliability.md from it
#   tests/ci/pipeline.sh simulators   the simulators in the foreground
#   tests/ci/pipeline.sh bench        the benchmark against community.general: docs/performance.{md,json,png}
#   tests/ci/pipeline.sh clean        remove the virtual environments and test output
#
# Every step runs on a fresh copy of the collection (tracked files plus untracked files
# that git does not ignore) at <tmp>/ansible_collections/incident/ops, because
# ansible-test and the collection loader need that layout on the physical path.
#
# Environment: PYTHON (interpreter for .venv, default python3), PYTHON312 (interpreter for
# .venv-2.21, default: found; "skip" skips that leg), KEEP_WORK=1 keeps the temporary
# directory, SIM_BASE_PORT fixes the simulators' base port.
set -euo pipefail

SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
ROOT="$(cd "$(dirname "$SELF")/../.." && pwd)"
cd "$ROOT"

PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"
VENV_221="$ROOT/.venv-2.21"
TEST_REQUIREMENTS="$ROOT/tests/requirements.txt"
RUNTIME_REQUIREMENTS="$ROOT/requirements.txt"
HELPERS="$ROOT/tests/ci/helpers.py"
DIST="$ROOT/dist"
NAMESPACE=incident
COLLECTION=ops
SIM_PORT_COUNT=9 # the launcher uses base+1 .. base+8
ALL_STEPS=(sanity-2.19 sanity-2.21 lint units simulator-tests awx hardening integration build docs)

export PIP_DISABLE_PIP_VERSION_CHECK=1

WORK=""
SIM_PID=""

header() { printf '\n======== %s ========\n' "$*"; }
notice() { printf 'NOTICE: %s\n' "$*"; }
fail() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 1
}

cleanup() {
    stop_simulators
    if [ -n "$WORK" ] && [ "${KEEP_WORK:-0}" != 1 ]; then
        rm -rf "$WORK"
    elif [ -n "$WORK" ]; then
        notice "kept the temporary directory $WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The PagerDuty simulator validates against the published OpenAPI description kept in
# shared/specs/ beside the checkout; say where it is so that copies elsewhere find it.
if [ -z "${PAGERDUTY_OPENAPI_SPEC:-}" ]; then
    spec="$("$PYTHON" "$HELPERS" find-spec "$ROOT" 2>/dev/null || true)"
    if [ -n "$spec" ]; then
        export PAGERDUTY_OPENAPI_SPEC="$spec"
    fi
fi

# ---------------------------------------------------------------- environments

python_version() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])'; }

# Print the path of a working Python 3.12, or nothing. A pyenv shim named python3.12
# may exist and still fail, so every candidate is run before it is trusted.
find_python312() {
    local candidate root
    if [ -n "${PYTHON312:-}" ]; then
        if [ "$PYTHON312" != skip ]; then
            "$PYTHON312" -c 'import sys; print(sys.executable)'
        fi
        return 0
    fi
    if python3.12 --version >/dev/null 2>&1; then
        python3.12 -c 'import sys; print(sys.executable)'
        return 0
    fi
    root="$(pyenv root 2>/dev/null || true)"
    if [ -n "$root" ]; then
        while IFS= read -r candidate; do
            if [ -n "$candidate" ] && "$candidate" --version >/dev/null 2>&1; then
                printf '%s\n' "$candidate"
                return 0
            fi
        done < <(compgen -G "$root/versions/3.12*/bin/python3.12" | sort -V -r)
    fi
    return 0
}

# Run a command while holding a lock, so that two pipelines started at once in the
# same checkout do not build the same virtual environment together.
with_lock() {
    local lock
    lock="${TMPDIR:-/tmp}/incident-ops-venv-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12).lock"
    if command -v flock >/dev/null 2>&1; then
        (
            flock 9
            "$@"
        ) 9>"$lock"
    else
        "$@"
    fi
}

# create_venv DIR PYTHON REQUIREMENTS... : (re)build DIR when its inputs changed.
create_venv() {
    local dir="$1" python="$2" stamp want
    shift 2
    stamp="$dir/.requirements.sha256"
    want="$({ "$python" -c 'import sys; print(sys.version)' && cat "$@"; } | sha256sum | cut -d' ' -f1)"
    if [ -x "$dir/bin/python" ] && "$dir/bin/python" -c '' 2>/dev/null && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    header "virtual environment ${dir#"$ROOT"/} (Python $(python_version "$python"))"
    if ! { [ -x "$dir/bin/python" ] && "$dir/bin/python" -c '' 2>/dev/null; } ||
        [ "$(python_version "$dir/bin/python")" != "$(python_version "$python")" ]; then
        rm -rf "$dir"
        "$python" -m venv "$dir"
    fi
    local args=()
    local file
    for file in "$@"; do
        args+=(-r "$file")
    done
    "$dir/bin/python" -m pip install --quiet "${args[@]}"
    printf '%s\n' "$want" >"$stamp"
}

ensure_venv() {
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        fail "$PYTHON must be Python 3.11 or newer (ansible-core 2.19 needs it)"
    fi
    with_lock create_venv "$VENV" "$PYTHON" "$TEST_REQUIREMENTS" "$RUNTIME_REQUIREMENTS"
    # ansible-test bootstraps pip into its own environments with a script from a host
    # that only the package index can stand in for: cache an equivalent one.
    "$VENV/bin/python" "$ROOT/tests/ci/seed_get_pip.py" >/dev/null
}

# The second sanity leg needs only ansible-core, from the line of tests/requirements.txt
# whose environment marker selects Python 3.12.
ensure_venv_221() {
    local python312 core
    python312="$(find_python312)"
    if [ -z "$python312" ]; then
        notice "no working Python 3.12 found (python3.12 on PATH, then pyenv versions): the ansible-core 2.21 leg is skipped"
        export SKIP_221=1
        return 0
    fi
    core="$(mktemp "${TMPDIR:-/tmp}/incident-ops-core.XXXXXX")"
    if ! grep -E '^ansible-core([^a-z0-9_-]|$)' "$TEST_REQUIREMENTS" >"$core"; then
        rm -f "$core"
        fail "tests/requirements.txt has no ansible-core line"
    fi
    with_lock create_venv "$VENV_221" "$python312" "$core"
    rm -f "$core"
    "$VENV_221/bin/python" "$ROOT/tests/ci/seed_get_pip.py" >/dev/null
}

# ---------------------------------------------------------------- the copy

# make_copy PARENT: copy the collection to PARENT/ansible_collections/incident/ops.
make_copy() {
    local dest="$1/ansible_collections/$NAMESPACE/$COLLECTION"
    mkdir -p "$dest"
    if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
            while IFS= read -r -d '' path; do
                if [ -e "$path" ] || [ -L "$path" ]; then
                    printf '%s\0' "$path"
                fi
            done |
            tar -C "$ROOT" --null --no-recursion -T - -cf - | tar -C "$dest" -xf -
    else
        tar -C "$ROOT" --exclude=./.git --exclude='./.venv*' --exclude=./tests/output \
            --exclude=./.ansible --exclude='__pycache__' --exclude='.pytest_cache' -cf - . |
            tar -C "$dest" -xf -
    fi
    printf '%s\n' "$dest"
}

new_work() {
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/incident-ops.XXXXXX")"
    mkdir -p "$WORK/state"
}

# ---------------------------------------------------------------- the simulators

# start_simulators HOME STATE: launch `python -m simulators serve` from HOME (a tests/
# directory) and write its JSON line to STATE/simulators.json.
start_simulators() {
    local home="$1" state="$2" base tries=0
    if [ ! -f "$home/simulators/__main__.py" ]; then
        fail "the simulators launcher ${home#"$WORK"/}/simulators/__main__.py does not exist yet"
    fi
    base="${SIM_BASE_PORT:-$("$VENV/bin/python" "$HELPERS" free-port "$SIM_PORT_COUNT")}"
    printf 'starting the simulators: python -m simulators serve --base-port %s\n' "$base"
    # Create the output files before the launcher starts: the background job opens them only
    # when it runs, and the wait loop below must never read a file that is not there yet.
    : >"$state/simulators.out"
    : >"$state/simulators.err"
    (
        cd "$home"
        exec "$VENV/bin/python" -m simulators serve --base-port "$base"
    ) >"$state/simulators.out" 2>"$state/simulators.err" &
    SIM_PID=$!
    until [ -s "$state/simulators.out" ] && [ "$(wc -l <"$state/simulators.out")" -ge 1 ]; do
        if ! kill -0 "$SIM_PID" 2>/dev/null; then
            SIM_PID=""
            tail -n 40 "$state/simulators.err" >&2 || true
            fail "the simulators exited before they printed their connection details"
        fi
        tries=$((tries + 1))
        if [ "$tries" -gt 600 ]; then
            tail -n 40 "$state/simulators.err" >&2 || true
            fail "the simulators printed no connection details within 60 seconds"
        fi
        sleep 0.1
    done
    head -n 1 "$state/simulators.out" >"$state/simulators.json"
    printf 'simulators ready (pid %s)\n' "$SIM_PID"
}

stop_simulators() {
    local tries=0
    if [ -z "$SIM_PID" ]; then
        return 0
    fi
    kill -TERM "$SIM_PID" 2>/dev/null || true
    while kill -0 "$SIM_PID" 2>/dev/null && [ "$tries" -lt 100 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    if kill -0 "$SIM_PID" 2>/dev/null; then
        kill -KILL "$SIM_PID" 2>/dev/null || true
    fi
    wait "$SIM_PID" 2>/dev/null || true
    printf 'simulators stopped\n'
    SIM_PID=""
}

# ---------------------------------------------------------------- steps
# Each step runs in its own process (see run_step) with COPY, STATE and STEP set, and
# leaves "PASSED FAILED" in STATE/STEP.counts and one line of detail in STATE/STEP.detail.

record() { # record PASSED FAILED DETAIL
    printf '%s %s\n' "$1" "$2" >"$STATE/$STEP.counts"
    printf '%s\n' "$3" >"$STATE/$STEP.detail"
}

step_sanity() {
    local leg="$1" venv version log rc=0 counts
    venv="$VENV"
    if [ "$leg" = 2.21 ]; then
        venv="$VENV_221"
        if [ "${SKIP_221:-0}" = 1 ] || [ ! -x "$venv/bin/ansible-test" ]; then
            notice "no .venv-2.21 (no working Python 3.12): ansible-core 2.21 sanity skipped"
            record 0 0 "skipped: no working Python 3.12"
            printf 'skipped\n' >"$STATE/$STEP.skipped"
            return 0
        fi
    fi
    version="$(python_version "$venv/bin/python")"
    log="$STATE/$STEP.log"
    # Sanity findings are fixed in the code, never listed in an ignore file.
    local ignore
    for ignore in "$COPY"/tests/sanity/ignore-*.txt; do
        if [ -f "$ignore" ] && grep -qvE '^[[:space:]]*(#|$)' "$ignore"; then
            record 0 1 "${ignore#"$COPY"/} has entries"
            fail "${ignore#"$COPY"/} has entries: fix the findings instead of ignoring them"
        fi
    done
    printf 'ansible-test %s, Python %s, in %s\n' "$("$venv/bin/ansible" --version | head -n 1)" "$version" "$COPY"
    (cd "$COPY" && PATH="$venv/bin:$PATH" ansible-test sanity --local --python "$version" --color no) 2>&1 | tee "$log" || rc=$?
    read -r -a counts <<<"$("$venv/bin/python" "$HELPERS" sanity-counts "$log")"
    if [ "$rc" -ne 0 ] && [ "${counts[1]}" -eq 0 ]; then
        counts[1]=1
    fi
    record "${counts[0]}" "${counts[1]}" "${counts[0]} sanity tests passed, ${counts[1]} failed (Python $version)"
    return "$rc"
}

step_lint() {
    local log="$STATE/$STEP.log" rc=0 files findings
    # The copy already sits in an ansible_collections tree: point Ansible at it, so that
    # the syntax check resolves incident.ops modules and action groups.
    (cd "$COPY" && PATH="$VENV/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="${COPY%/ansible_collections/*}" \
        ansible-lint --nocolor) 2>&1 | tee "$log" || rc=$?
    # Changelog fragments are data a release is built from: a malformed one fails here, not at release time.
    (cd "$COPY" && "$VENV/bin/antsibull-changelog" lint) 2>&1 | tee -a "$log" || rc=$?
    files="$(grep -oE 'in [0-9]+ files processed' "$log" | grep -oE '[0-9]+' | tail -n 1 || true)"
    findings="$(grep -oE '(Passed|Failed): [0-9]+ failure' "$log" | grep -oE '[0-9]+' | tail -n 1 || true)"
    if [ "$rc" -eq 0 ]; then
        record 1 0 "0 findings in ${files:-?} files (profile production)"
    else
        record 0 1 "${findings:-?} findings in ${files:-?} files"
    fi
    return "$rc"
}

# run_pytest DIR PYTHONPATH WHAT ARGS...: pytest in DIR; no test collected is a failure.
run_pytest() {
    local dir="$1" path="$2" what="$3" log="$STATE/$STEP.log" rc=0 counts
    shift 3
    (cd "$dir" && PYTHONPATH="$path${PYTHONPATH:+:$PYTHONPATH}" "$VENV/bin/python" -m pytest -p no:cacheprovider -ra "$@") 2>&1 | tee "$log" || rc=$?
    read -r -a counts <<<"$("$VENV/bin/python" "$HELPERS" pytest-counts "$log")"
    case "$rc" in
    0) ;;
    5) printf 'ERROR: pytest collected no %s (exit code 5): a run without tests fails\n' "$what" >&2 ;;
    4) printf 'ERROR: pytest could not start (exit code 4): is %s missing?\n' "$*" >&2 ;;
    *) ;;
    esac
    if [ "$rc" -ne 0 ] && [ "${counts[1]}" -eq 0 ]; then
        counts[1]=1
    fi
    record "${counts[0]}" "${counts[1]}" "${counts[0]} $what passed, ${counts[1]} failed"
    return "$rc"
}

step_units() {
    run_pytest "$COPY" "${COPY%/ansible_collections/*}" "unit tests" tests/unit
}

step_simulator_tests() {
    run_pytest "$COPY/tests" "$COPY/tests" "simulator tests" simulators/tests
}

# AWX readiness: ansible-builder on the execution environment files, the credential types,
# and the onboarding playbook run through ansible-runner against the simulators.
step_awx() {
    INCIDENT_OPS_COLLECTIONS="${COPY%/ansible_collections/*}" \
        run_pytest "$COPY/tests" "${COPY%/ansible_collections/*}:$COPY/tests" "AWX readiness tests" awx
}

# Hardening: real ansible-playbook runs against simulators started in the test process: no secret in
# -vvvv output, ten forks converging the same objects at once.
step_hardening() {
    INCIDENT_OPS_COLLECTIONS="${COPY%/ansible_collections/*}" \
        run_pytest "$COPY/tests" "${COPY%/ansible_collections/*}:$COPY/tests" "hardening tests" hardening
}

step_integration() {
    local targets=() target log="$STATE/$STEP.log" rc=0 counts
    for target in "$COPY"/tests/integration/targets/*/; do
        if [ -f "$target/aliases" ] || [ -d "$target/tasks" ] || [ -f "$target/runme.sh" ]; then
            targets+=("$(basename "$target")")
        fi
    done
    if [ -n "${TARGETS:-}" ]; then
        read -r -a targets <<<"$TARGETS"
    fi
    if [ "${#targets[@]}" -eq 0 ]; then
        record 0 1 "no integration targets in tests/integration/targets"
        fail "no integration targets in tests/integration/targets/: nothing would be tested"
    fi
    # integration-K of integration-1 .. integration-N runs its share of the targets, beside the others.
    if [[ "$STEP" == integration-* ]]; then
        read -r -a targets <<<"$("$VENV/bin/python" "$HELPERS" shard-targets "${STEP#integration-}" "$(integration_shards)" \
            "$COPY/tests/integration/targets" "${targets[@]}")"
        if [ "${#targets[@]}" -eq 0 ]; then
            record 0 0 "no target in this share"
            return 0
        fi
    fi
    printf 'targets: %s\n' "${targets[*]}"
    # each step its own simulators: integration shares run side by side
    mkdir -p "$STATE/$STEP.simulators"
    start_simulators "$COPY/tests" "$STATE/$STEP.simulators"
    "$VENV/bin/python" "$HELPERS" sim-config <"$STATE/$STEP.simulators/simulators.json" >"$COPY/tests/integration/integration_config.yml"
    # --local runs the modules with the interpreter named here: the generated inventory sets
    # ansible_python_interpreter to it, so interpreter discovery never runs.
    (cd "$COPY" && PATH="$VENV/bin:$PATH" ansible-test integration --local --python-interpreter "$VENV/bin/python" \
        --continue-on-error --color no -v "${targets[@]}") 2>&1 | tee "$log" || rc=$?
    stop_simulators
    read -r -a counts <<<"$("$VENV/bin/python" "$HELPERS" integration-counts "$COPY" "$log")"
    if [ "$rc" -eq 0 ] && [ "${counts[0]}" -eq 0 ]; then
        printf 'ERROR: ansible-test ran no integration target (all skipped or unsupported?)\n' >&2
        rc=1
    fi
    if [ "$rc" -ne 0 ] && [ "${counts[1]}" -eq 0 ]; then
        counts[1]=1
    fi
    record "${counts[0]}" "${counts[1]}" "${counts[0]} integration targets passed, ${counts[1]} failed"
    return "$rc"
}

# The collection's version, from galaxy.yml.
collection_version() {
    sed -n 's/^version:[[:space:]]*["'\'']\{0,1\}\([^"'\'' ]*\).*/\1/p' "$ROOT/galaxy.yml" | head -n 1
}

# The tarball `make build` leaves in dist/ (git-ignored); the build step checks it.
tarball_path() {
    printf '%s/%s-%s-%s.tar.gz\n' "$DIST" "$NAMESPACE" "$COLLECTION" "$(collection_version)"
}

step_build() {
    local installed="$STATE/installed" tarball bad modules=() module passed=0 failed=0
    mkdir -p "$DIST" "$installed"
    tarball="$(tarball_path)"
    rm -f "$tarball"
    (cd "$COPY" && "$VENV/bin/ansible-galaxy" collection build --force --output-path "$DIST")
    [ -f "$tarball" ] || fail "ansible-galaxy collection build made no ${tarball#"$ROOT"/}"
    bad="$(tar -tzf "$tarball" | grep -E '^(\.venv|\.ci/|\.git/|\.ansible/|tests/output/|Makefile$)|(^|/)(__pycache__|\.pytest_cache)/' || true)"
    if [ -n "$bad" ]; then
        printf '%s\n' "$bad" | head -n 20 >&2
        record 0 1 "the tarball holds files that build_ignore should keep out"
        fail "the tarball holds files that build_ignore in galaxy.yml should keep out"
    fi
    printf 'built %s (%s files)\n' "$(basename "$tarball")" "$(tar -tzf "$tarball" | wc -l)"
    "$VENV/bin/ansible-galaxy" collection install "$tarball" -p "$installed" --offline
    while IFS= read -r module; do
        modules+=("$module")
    done < <(find "$COPY/plugins/modules" -name '*.py' ! -name '__init__.py' -printf '%f\n' 2>/dev/null | sed 's/\.py$//' | sort)
    if [ "${#modules[@]}" -eq 0 ]; then
        record 0 1 "no modules in plugins/modules"
        fail "no modules in plugins/modules to document"
    fi
    for module in "${modules[@]}"; do
        if (cd "$STATE" && ANSIBLE_COLLECTIONS_PATH="$installed" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false \
            "$VENV/bin/ansible-doc" --json "$NAMESPACE.$COLLECTION.$module" >"$STATE/doc-$module.json") &&
            "$VENV/bin/python" -c 'import json, sys; docs = json.load(open(sys.argv[1])); sys.exit(sys.argv[2] not in docs or not docs[sys.argv[2]].get("doc"))' \
                "$STATE/doc-$module.json" "$NAMESPACE.$COLLECTION.$module"; then
            printf 'ansible-doc %s.%s.%s: ok\n' "$NAMESPACE" "$COLLECTION" "$module"
            passed=$((passed + 1))
        else
            printf 'ERROR: ansible-doc %s.%s.%s failed\n' "$NAMESPACE" "$COLLECTION" "$module" >&2
            failed=$((failed + 1))
        fi
    done
    record "$passed" "$failed" "built ${tarball#"$ROOT"/}, installed offline, ansible-doc ok for $passed of ${#modules[@]} modules"
    [ "$failed" -eq 0 ]
}

# The documentation site: antsibull-docs writes a page per plugin and role and copies the
# guides of docs/docsite; Sphinx builds it into build/docs/html, where any warning fails.
step_docs() {
    local rst="$STATE/docs-rst" html="$ROOT/build/docs/html" log="$STATE/$STEP.log" rc=0 pages
    mkdir -p "$rst"
    chmod og-w "$rst"
    rm -rf "$html"
    (
        cd "$COPY"
        export PATH="$VENV/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="${COPY%/ansible_collections/*}" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
        # a list joined by && : errexit does not hold inside the `|| rc=$?` below
        antsibull-docs lint-collection-docs --plugin-docs . &&
            antsibull-docs --config-file docs/site/antsibull-docs.cfg collection --use-current --squash-hierarchy \
                --cleanup everything --fail-on-error --dest-dir "$rst" "$NAMESPACE.$COLLECTION" &&
            sphinx-build -b html -c docs/site -W --keep-going -q "$rst" "$html"
    ) 2>&1 | tee "$log" || rc=$?
    pages="$(find "$html" -name '*.html' 2>/dev/null | wc -l || true)"
    if [ "$rc" -eq 0 ]; then
        record 1 0 "site built without warnings: $pages pages in build/docs/html"
    else
        record 0 1 "the documentation site did not build cleanly (see the warnings above)"
    fi
    return "$rc"
}

run_step_here() { # called in the child process
    STEP="$1"
    COPY="$2"
    STATE="$3"
    header "$STEP"
    case "$STEP" in
    sanity-2.19) step_sanity 2.19 ;;
    sanity-2.21) step_sanity 2.21 ;;
    lint) step_lint ;;
    units) step_units ;;
    simulator-tests) step_simulator_tests ;;
    awx) step_awx ;;
    hardening) step_hardening ;;
    integration | integration-[0-9]*) step_integration ;;
    build) step_build ;;
    docs) step_docs ;;
    *) fail "unknown step $STEP" ;;
    esac
}

# run_step NAME: run one step in a child process (so that `set -e` holds inside it), on a copy
# of its own, so that steps running side by side never share ansible-test's output folder.
run_step() {
    local name="$1" started rc=0 copy
    started=$SECONDS
    copy="$(make_copy "$RUN_DIR/$name")"
    if [ "$JOBS" -gt 1 ]; then
        printf '%s: started\n' "$name"
        bash "$SELF" _step "$name" "$copy" "$STATE" >"$STATE/$name.out" 2>&1 || rc=$?
        printf '%s: %s after %ds\n' "$name" "$([ "$rc" -eq 0 ] && echo done || echo FAILED)" "$((SECONDS - started))"
    else
        bash "$SELF" _step "$name" "$copy" "$STATE" || rc=$?
    fi
    printf '%s\n' "$((SECONDS - started))" >"$STATE/$name.seconds"
    printf '%s\n' "$rc" >"$STATE/$name.rc"
}

# How many steps run at once (JOBS, default: the processor count, at most 4), and how many
# shares the integration targets are split into (INTEGRATION_SHARDS, default: JOBS).
jobs_wanted() {
    local cores
    cores="$(nproc 2>/dev/null || echo 1)"
    printf '%s\n' "${JOBS:-$((cores < 4 ? cores : 4))}"
}

integration_shards() {
    printf '%s\n' "${INTEGRATION_SHARDS:-$(jobs_wanted)}"
}

# expand_steps STEP...: the steps, with integration split into its shares when there are several.
expand_steps() {
    local step shard shards
    shards="$(integration_shards)"
    for step in "$@"; do
        if [ "$step" = integration ] && [ "$shards" -gt 1 ]; then
            for shard in $(seq 1 "$shards"); do
                printf '%s\n' "integration-$shard"
            done
        else
            printf '%s\n' "$step"
        fi
    done
}

# longest_first STEP...: the order a queue of workers takes the steps in, so that the long
# ones do not start last.
longest_first() {
    local step
    for step in "$@"; do
        case "$step" in
        integration*) printf '0 %s\n' "$step" ;;
        sanity-*) printf '1 %s\n' "$step" ;;
        units | hardening | build | docs) printf '2 %s\n' "$step" ;;
        *) printf '3 %s\n' "$step" ;;
        esac
    done | sort -s -k1,1n | cut -d' ' -f2
}

summary() {
    local name rc result seconds detail passed failed total_passed=0 total_failed=0 counts
    header "summary"
    printf '%-16s %-8s %8s  %s\n' step result seconds detail
    printf '%-16s %-8s %8s  %s\n' venv ok "$VENV_SECONDS" "virtual environments ready"
    for name in "$@"; do
        rc="$(cat "$STATE/$name.rc" 2>/dev/null || echo 1)"
        seconds="$(cat "$STATE/$name.seconds" 2>/dev/null || echo '-')"
        detail="$(cat "$STATE/$name.detail" 2>/dev/null || echo 'no result recorded')"
        read -r -a counts <<<"$(cat "$STATE/$name.counts" 2>/dev/null || echo '0 1')"
        passed="${counts[0]}"
        failed="${counts[1]}"
        if [ "$rc" -ne 0 ]; then
            result=FAILED
            if [ "$failed" -eq 0 ]; then
                failed=1
            fi
        elif [ -f "$STATE/$name.skipped" ]; then
            result=skipped
        else
            result=passed
        fi
        total_passed=$((total_passed + passed))
        total_failed=$((total_failed + failed))
        printf '%-16s %-8s %8s  %s\n' "$name" "$result" "$seconds" "$detail"
    done
    printf 'elapsed: %dm%02ds\n' $((SECONDS / 60)) $((SECONDS % 60))
    printf 'total: %d passed, %d failed\n' "$total_passed" "$total_failed"
    [ "$total_failed" -eq 0 ]
}

# run_steps STEP...: venvs, then the steps, JOBS at a time (each on its own copy, its output
# shown when it ends), then a summary; fails if any step failed.
run_steps() {
    local started=$SECONDS needs_221=0 step steps=()
    for step in "$@"; do
        if [ "$step" = sanity-2.21 ]; then
            needs_221=1
        fi
    done
    ensure_venv
    if [ "$needs_221" = 1 ]; then
        ensure_venv_221
    fi
    VENV_SECONDS=$((SECONDS - started))
    new_work
    STATE="$WORK/state"
    JOBS="$(jobs_wanted)"
    export JOBS
    while IFS= read -r step; do
        steps+=("$step")
    done < <(expand_steps "$@")
    printf 'work folder: %s; %d step(s), %d at a time\n' "$WORK" "${#steps[@]}" "$JOBS"
    if [ "$JOBS" -gt 1 ] && [ "${#steps[@]}" -gt 1 ]; then
        longest_first "${steps[@]}" | xargs -P "$JOBS" -n 1 bash "$SELF" _queued "$WORK"
        for step in "${steps[@]}"; do
            cat "$STATE/$step.out" 2>/dev/null || true
        done
    else
        JOBS=1
        RUN_DIR="$WORK"
        for step in "${steps[@]}"; do
            run_step "$step"
        done
    fi
    summary "${steps[@]}"
}

# ---------------------------------------------------------------- commands

cmd_demo() {
    local copy vars inventory log2 recap
    ensure_venv
    new_work
    copy="$(make_copy "$WORK/root")"
    header "demo: simulators"
    # The EXIT trap (cleanup) stops the simulators whatever happens next: a failed step,
    # Ctrl-C (INT) or TERM all end the script through it.
    start_simulators "$copy/tests" "$WORK/state"
    vars="$WORK/simulators.json"
    cp "$WORK/state/simulators.json" "$vars"
    inventory="$WORK/inventory.ini"
    printf 'localhost ansible_connection=local ansible_python_interpreter=%s\n' "$VENV/bin/python" >"$inventory"
    export ANSIBLE_COLLECTIONS_PATH="$WORK/root"
    export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
    export ANSIBLE_NOCOLOR="${ANSIBLE_NOCOLOR:-1}"
    header "demo: onboard the payments team across the four services (playbooks/demo.yml)"
    (cd "$WORK" && "$VENV/bin/ansible-playbook" -i "$inventory" "$copy/playbooks/demo.yml" -e "@$vars")
    header "demo: second run (expect changed=0)"
    log2="$WORK/state/demo-second-run.log"
    (cd "$WORK" && "$VENV/bin/ansible-playbook" -i "$inventory" "$copy/playbooks/demo.yml" -e "@$vars") | tee "$log2"
    recap="$(grep -E '^localhost +:' "$log2" | tail -n 1)"
    case "$recap" in
    *" changed=0 "*) printf '\nsecond run: changed=0, the play is idempotent\n' ;;
    *) fail "the second run changed something: $recap" ;;
    esac
    header "demo: offboard one person and sum up (playbooks/demo_offboard.yml)"
    (cd "$WORK" && "$VENV/bin/ansible-playbook" -i "$inventory" "$copy/playbooks/demo_offboard.yml" -e "@$vars")
    stop_simulators
}

# Build the tarball (with the build step's checks) and install it where ansible-doc and
# ansible-playbook look: COLLECTIONS_PATH when set, else the first entry of Ansible's
# configured collections path (by default ~/.ansible/collections).
cmd_install() {
    local tarball target=()
    run_steps build
    tarball="$(tarball_path)"
    if [ -n "${COLLECTIONS_PATH:-}" ]; then
        target=(-p "$COLLECTIONS_PATH")
    fi
    header "install ${tarball#"$ROOT"/}"
    "$VENV/bin/ansible-galaxy" collection install "$tarball" --force --offline "${target[@]}"
    printf 'installed %s.%s %s; check it with: ansible-doc %s.%s.pd_user\n' \
        "$NAMESPACE" "$COLLECTION" "$(collection_version)" "$NAMESPACE" "$COLLECTION"
}

# docs/reliability.md is the fault matrix's outcome: run the matrix on a copy and let it write the file into the
# checkout (the unit step compares the committed file with the matrix and fails when they differ).
cmd_reliability() {
    local copy
    ensure_venv
    new_work
    copy="$(make_copy "$WORK/root")"
    header "fault matrix -> docs/reliability.md"
    (cd "$copy" && INCIDENT_OPS_RELIABILITY_OUT="$ROOT/docs/reliability.md" PYTHONPATH="$WORK/root${PYTHONPATH:+:$PYTHONPATH}" \
        "$VENV/bin/python" -m pytest -p no:cacheprovider -q tests/unit/hardening/test_fault_matrix.py)
    printf 'wrote docs/reliability.md\n'
}

cmd_simulators() {
    local base
    ensure_venv
    base="${SIM_BASE_PORT:-$("$VENV/bin/python" "$HELPERS" free-port "$SIM_PORT_COUNT")}"
    printf 'python -m simulators serve --base-port %s (stop with Ctrl-C)\n' "$base" >&2
    cd "$ROOT/tests"
    trap - EXIT INT TERM
    exec "$VENV/bin/python" -m simulators serve --base-port "$base"
}

cmd_bench_simulators() {
    ensure_venv
    cd "$ROOT/tests"
    "$VENV/bin/python" -m simulators bench --seconds "${BENCH_SECONDS:-3}"
}

# The benchmark (not part of `test`): its own environment with community.general from PyPI on the
# same ansible-core, a copy of the collection, and tests/bench/harness.py, which starts the
# simulators itself (one per account size) and writes docs/performance.{md,json,png}.
# BENCH_QUICK=1 makes a reduced pass; BENCH_RUNS=N and BENCH_ONLY=rerun,growth,... narrow it.
cmd_bench() {
    local copy
    ensure_venv
    with_lock create_venv "$ROOT/.venv-bench-cg" "$PYTHON" "$ROOT/tests/bench/requirements.txt"
    new_work
    copy="$(make_copy "$WORK/root")"
    header "bench"
    (cd "$copy/tests/bench" && "$ROOT/.venv-bench-cg/bin/python" harness.py --collections "$WORK/root" \
        --ours-venv "$VENV" --cg-venv "$ROOT/.venv-bench-cg" --out "$ROOT/docs" --only "${BENCH_ONLY:-}")
}

cmd_clean() {
    rm -rf "$VENV" "$VENV_221" "$ROOT/.venv-bench-cg" "$ROOT/tests/output" "$ROOT/.ansible" "$ROOT/.pytest_cache" "$ROOT/dist"
    find "$ROOT" -path "$ROOT/.git" -prune -o -type d \( -name __pycache__ -o -name .pytest_cache \) -print0 |
        xargs -0 rm -rf
    printf 'removed .venv, .venv-2.21, .venv-bench-cg, tests/output, dist, .ansible and Python caches\n'
}

main() {
    local command="${1:-test}"
    case "$command" in
    _step)
        shift
        run_step_here "$@"
        ;;
    _queued) # one step taken from run_steps' queue; WORK stays unset so that its exit removes nothing
        RUN_DIR="$2"
        STATE="$RUN_DIR/state"
        run_step "$3"
        ;;
    venv)
        ensure_venv
        ensure_venv_221
        printf '%s: %s\n' "${VENV#"$ROOT"/}" "$("$VENV/bin/ansible" --version | head -n 1)"
        if [ -x "$VENV_221/bin/ansible" ]; then
            printf '%s: %s\n' "${VENV_221#"$ROOT"/}" "$("$VENV_221/bin/ansible" --version | head -n 1)"
        fi
        ;;
    test) run_steps "${ALL_STEPS[@]}" ;;
    sanity) run_steps sanity-2.19 sanity-2.21 ;;
    lint) run_steps lint ;;
    units) run_steps units simulator-tests ;;
    awx) run_steps awx ;;
    hardening) run_steps hardening ;;
    integration) run_steps integration ;;
    build) run_steps build ;;
    docs) run_steps docs ;;
    install) cmd_install ;;
    demo) cmd_demo ;;
    reliability) cmd_reliability ;;
    simulators) cmd_simulators ;;
    bench-simulators) cmd_bench_simulators ;;
    bench) cmd_bench ;;
    clean) cmd_clean ;;
    *) fail "unknown command $command (see the top of $0)" ;;
    esac
}

main "$@"
