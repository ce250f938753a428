# Sourced by the runtime benchmarks (run.sh, rss.sh, tail.sh) from the repository's root: what each
# needs before it measures. Defines WORK and bench_prepare.
WORK="runtime-image/target/bench"

# bench_prepare [REQUIREMENTS_FILE...]: the Python packages of the test models (and those given),
# the packaged runtime (built when missing), the benchmark models and request bodies in $WORK, and
# wrk, the load generator (Debian's package).
bench_prepare() {
  local requirements=(-r runtime-image/models/requirements.txt) file
  for file in "$@"; do requirements+=(-r "$file"); done
  mkdir -p "$WORK"
  python3 -m pip install -q --disable-pip-version-check "${requirements[@]}" 2>&1 | grep -vi 'running pip as' >&2 || true
  [[ -f runtime-image/target/quarkus-app/quarkus-run.jar ]] ||
    ./mvnw -B -ntp -q -pl runtime-image -am package -DskipTests
  python3 runtime-image/models/make_models.py "$WORK/models" --bench-models >/dev/null
  python3 runtime-image/bench/make_bodies.py "$WORK/bodies"
  command -v wrk >/dev/null || {
    printf '[bench] installing wrk (Debian package), the load generator\n' >&2
    apt-get install -y -qq wrk >/dev/null
  }
}
