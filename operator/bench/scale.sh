#!/usr/bin/env bash
# The operator at scale: N ModelDeployments on kwok nodes (operator/bench/scale.py says what is
# measured). Builds the sandbox binaries and the operator when needed. Example:
#   operator/bench/scale.sh --count 1000 --idle 60
set -euo pipefail
cd "$(dirname "$0")/../.."
source e2e/java-home.sh
e2e/sandbox/build.sh >/dev/null
if [[ ! -f operator/target/quarkus-app/quarkus-run.jar ]]; then
  ./mvnw -B -ntp -q -pl drift-stats,operator package -DskipTests
fi
exec python3 operator/bench/scale.py "$@"
