# Sourced by the scripts: sets JAVA_HOME to a JDK >= 21 (the build's language level), preferring the
# one already in JAVA_HOME, then Temurin and other JDKs under /usr/lib/jvm, newest first.
# shellcheck shell=bash
jdk_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}'
}
pick_java_home() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/temurin-*-jdk* 2>/dev/null | sort -V -r) \
    $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sed 's:/$::' | sort -V -r); do
    [[ -n "$candidate" && -x "$candidate/bin/javac" ]] || continue
    major="$(jdk_major "$candidate")"
    if [[ "$major" =~ ^[0-9]+$ ]] && ((major >= 21)); then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}
if ! JAVA_HOME="$(pick_java_home)"; then
  echo "error: no JDK 21 or newer found (looked at JAVA_HOME and /usr/lib/jvm/*)." >&2
  echo "       Install one (for example a Temurin 21 or 25 JDK) and set JAVA_HOME to it." >&2
  exit 1
fi
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
