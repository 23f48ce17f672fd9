#!/usr/bin/env bash
# Runs nightly.yml with the incident.ops.incident_alert callback enabled, against the simulators, for each of the
# callback's targets (Events API, PagerDuty REST, ITSM desk), configured through the environment or ansible.cfg:
# a failing run opens one incident, a second failing run opens none, a clean run resolves it; a service that is
# down or refuses the credentials gives a warning and leaves the run's exit code as it was.
set -eu -o pipefail

CONFIG="$(cd ../.. && pwd)/integration_config.yml"
OUT="${OUTPUT_DIR:?ansible-test sets OUTPUT_DIR}"
CALLBACK=incident.ops.incident_alert
SECRET=S3cr3t-rotated-value
BROKEN_RC=""

fail() {
    printf 'FAILED: %s\n' "$*" >&2
    exit 1
}

PYTHON="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"

state() { "$PYTHON" sim_state.py "$CONFIG" "$@"; }
check() { state check "$@"; } # check SERVICE OPEN TOTAL [CREATES]
sim() { state value "$@"; }   # sim SERVICE KEY

# nightly broken|clean: run nightly.yml with the callback; its output is in $OUT/run.log, its exit code in RC.
nightly() {
    local hosts=nightly
    RC=0
    if [ "$1" = clean ]; then
        hosts=alpha:beta
    fi
    ANSIBLE_CALLBACKS_ENABLED="$CALLBACK" ansible-playbook -i inventory.ini nightly.yml \
        -e "broken=$([ "$1" = broken ] && echo true || echo false)" -e "run_hosts=$hosts" >"$OUT/run.log" 2>&1 || RC=$?
    cat "$OUT/run.log"
    if grep -q 'Traceback' "$OUT/run.log"; then
        fail "the run printed a traceback"
    fi
    # ansible-core itself may echo a failed no_log task's message; the callback's own lines never do.
    if grep incident_alert "$OUT/run.log" | grep -q "$SECRET"; then
        fail "the callback printed the no_log secret"
    fi
}

expect_rc() {
    [ "$RC" -eq "$1" ] || fail "nightly.yml exited with $RC, expected $1"
}

expect_output() {
    grep -q -- "$1" "$OUT/run.log" || fail "the run did not say: $1"
}

# The exit code of a failing run without the callback: the callback must never change it.
env -u ANSIBLE_CALLBACKS_ENABLED ansible-playbook -i inventory.ini nightly.yml -e broken=true >"$OUT/baseline.log" 2>&1 || BROKEN_RC=$?
[ "${BROKEN_RC:-0}" -ne 0 ] || fail "the broken run passed without the callback"

unset_all() {
    unset INCIDENT_ALERT_TARGET INCIDENT_ALERT_RESOLVE_ON_SUCCESS PAGERDUTY_ROUTING_KEY PAGERDUTY_EVENTS_URL PAGERDUTY_TOKEN \
        PAGERDUTY_API_URL PAGERDUTY_FROM ITSM_URL ITSM_CLIENT_ID ITSM_CLIENT_SECRET ITSM_USERNAME ITSM_PASSWORD ITSM_API_KEY \
        INCIDENT_ALERT_MAX_RETRIES || true
}

# ---------------------------------------------------------------- Events API, configured by the environment
unset_all
PAGERDUTY_ROUTING_KEY="$(state setup)"
export PAGERDUTY_ROUTING_KEY
PAGERDUTY_EVENTS_URL="$(sim pagerduty_events events_url)"
export PAGERDUTY_EVENTS_URL

nightly broken
expect_rc "$BROKEN_RC"
expect_output "sent a trigger event"
check pagerduty 1 1

nightly broken
expect_rc "$BROKEN_RC"
check pagerduty 1 1

nightly clean
expect_rc 0
check pagerduty 1 1 # resolve_on_success is off: a clean run sends nothing

INCIDENT_ALERT_RESOLVE_ON_SUCCESS=true nightly clean
expect_rc 0
expect_output "sent a resolve event"
check pagerduty 0 1

# ---------------------------------------------------------------- PagerDuty REST, configured in ansible.cfg
unset_all
state setup >/dev/null
cat >"$OUT/ansible.cfg" <<CFG
[callback_incident_alert]
target = pagerduty
pagerduty_service = Checkout
pagerduty_api_url = $(sim pagerduty api_url)
pagerduty_from_email = $(sim pagerduty from_email)
urgency = low
resolve_on_success = true
CFG
export ANSIBLE_CONFIG="$OUT/ansible.cfg"
PAGERDUTY_TOKEN="$(sim pagerduty api_token)"
export PAGERDUTY_TOKEN

nightly broken
expect_rc "$BROKEN_RC"
expect_output "opened incident"
check pagerduty 1 1 1

nightly broken
expect_rc "$BROKEN_RC"
expect_output "is open for this run already"
check pagerduty 1 1 0

PAGERDUTY_TOKEN=wrong-token-value nightly broken
expect_rc "$BROKEN_RC"
expect_output "WARNING.*incident.ops.incident_alert could not open"
if grep -q wrong-token-value "$OUT/run.log"; then
    fail "the warning showed the token"
fi

nightly clean
expect_rc 0
expect_output "resolved incident"
check pagerduty 0 1

nightly clean
expect_rc 0
check pagerduty 0 1 0

# ---------------------------------------------------------------- ITSM desk, configured by the environment
unset ANSIBLE_CONFIG
unset_all
state setup >/dev/null
export INCIDENT_ALERT_TARGET=itsm INCIDENT_ALERT_RESOLVE_ON_SUCCESS=true
ITSM_URL="$(sim itsm url)"
ITSM_CLIENT_ID="$(sim itsm client_id)"
ITSM_CLIENT_SECRET="$(sim itsm client_secret)"
ITSM_USERNAME="$(sim itsm username)"
ITSM_PASSWORD="$(sim itsm password)"
export ITSM_URL ITSM_CLIENT_ID ITSM_CLIENT_SECRET ITSM_USERNAME ITSM_PASSWORD

nightly broken
expect_rc "$BROKEN_RC"
expect_output "opened desk incident"
check itsm 1 1 1

nightly broken
expect_rc "$BROKEN_RC"
check itsm 1 1 0

nightly clean
expect_rc 0
expect_output "resolved desk incident"
check itsm 0 1

# ---------------------------------------------------------------- a service that is down
unset_all
export INCIDENT_ALERT_TARGET=pagerduty_events PAGERDUTY_ROUTING_KEY=abcdefghijklmnopqrstuvwxyz012345
export PAGERDUTY_EVENTS_URL=http://127.0.0.1:1 INCIDENT_ALERT_MAX_RETRIES=0
nightly broken
expect_rc "$BROKEN_RC"
expect_output "WARNING.*incident.ops.incident_alert could not open"
if grep -q abcdefghijklmnopqrstuvwxyz012345 "$OUT/run.log"; then
    fail "the warning showed the routing key"
fi

printf 'callback_incident_alert: every check passed\n'
