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
if (($#)); then
  exec ./mvnw -B -ntp verify "$@"
fi
# Every test, in two steps that keep the machine's two cores busy (docs/development.md, "Tests"):
# the modules two at a time (the operator and its image beside the runtime's longer tests) while the
# example trainer's image builds, then the e2e tests, which find the three images fresh.
mkdir -p examples/trainer/target
e2e/sandbox/trainer-image.sh >/dev/null 2>examples/trainer/target/image-build.log &
trainer=$!
./mvnw -B -ntp -T 2 -pl '!e2e' verify
wait "$trainer" || echo "[test] the trainer image did not build (examples/trainer/target/image-build.log); the e2e tests that need it will say why" >&2
exec ./mvnw -B -ntp -pl e2e verify
