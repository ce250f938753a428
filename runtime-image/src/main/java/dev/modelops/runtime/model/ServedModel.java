package dev.modelops.runtime.model;

import dev.modelops.runtime.inference.ModelSession;
import dev.modelops.runtime.inference.Warmup;
import java.util.Optional;

/**
 * The one model this server serves, and where its loading stands: the session once it loaded and
 * ran once, or the reason it did not. {@code warmup} is what its warm-up measured (nothing until
 * ready).
 */
public record ServedModel(
    String name,
    String version,
    State state,
    Optional<ModelSession> session,
    String reason,
    Warmup.Measured warmup) {

  public enum State {
    LOADING,
    READY,
    FAILED
  }

  public boolean ready() {
    return state == State.READY;
  }

  public static ServedModel loading(String name, String version) {
    return new ServedModel(
        name,
        version,
        State.LOADING,
        Optional.empty(),
        "the model is loading",
        Warmup.Measured.NONE);
  }

  public static ServedModel failed(String name, String version, String reason) {
    return new ServedModel(
        name, version, State.FAILED, Optional.empty(), reason, Warmup.Measured.NONE);
  }

  public static ServedModel ready(
      String name, String version, ModelSession session, Warmup.Measured warmup) {
    return new ServedModel(name, version, State.READY, Optional.of(session), "ready", warmup);
  }
}
