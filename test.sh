#!/usr/bin/env bash
# Runs every test: the unit tests, the API-server tests and the end-to-end tests on sandbox clusters.
# Builds the sandbox binaries first if they are not cached yet (with progress; many minutes the first time).
# Extra arguments go to Maven, for example: ./test.sh -pl e2e -Dtest=ClusterBehaviourTest
set -euo pipefail
cd "$(dirname "$0")"
source e2e/java-home.sh
echo "[test] JDK: $JAVA_HOME" >&2
e2e/sandbox/build.sh >/dev/null
# Python packages of the tests: the test-model script and Triton's V2 client (quick when present).
python3 -m pip install -q --disable-pip-version-check -r runtime-image/requirements-test.txt 2>&1 | grep -v -i 'running pip as' >&2 || true
exec ./mvnw -B -ntp verify "$@"
